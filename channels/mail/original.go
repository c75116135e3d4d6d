package mail

import (
	netmail "net/mail"
	"regexp"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/triage-gw/triage/nlp/reply"
)

// Where Message.OriginalFrom was read.
const (
	OriginalFromForward    = "forward"           // a forwarded header block: inline or a message/rfc822 part
	OriginalFromXOrigFrom  = "X-Original-From"   // the header of that name
	OriginalFromXOrigSendr = "X-Original-Sender" // the header of that name (Google Groups)
	OriginalFromReplyTo    = "Reply-To"          // a forward's Reply-To, the last resort
)

// maxOriginalBlocks bounds how many forwarded header blocks
// OriginalSender collects; nested forwards rarely go past a handful.
const maxOriginalBlocks = 64

// The subject field of a forwarded header block, in the languages of
// reply.IsFromField.
var subjectLabelRE = regexp.MustCompile(`(?i)^[*"]?\s*(subject|betreff|objet|asunto|assunto|oggetto|onderwerp|ämne|emne|aihe|тема|主题|件名)\s*[*"]?\s*:`)

// Outlook's "Name [mailto:addr]" and HTML conversions' "<mailto:addr>".
var mailtoRE = regexp.MustCompile(`(?i)[\[<]\s*mailto:\s*([^\]>\s]+)\s*[\]>]`)

// A bare address inside a From value that net/mail cannot read.
var bareAddrRE = regexp.MustCompile(`[^\s<>\[\]()"',;:*]+@[^\s<>\[\]()"',;:*]+\.[^\s<>\[\]()"',;:*]+`)

// fwdBlock is one forwarded (or quoted) header block found in a text.
type fwdBlock struct {
	from    Address
	forward bool // introduced by a forward marker ("Forwarded message", "Begin forwarded message:")
	fwdSubj bool // its Subject is a forward's (Fwd:, FW:, …): the message it heads forwards another
	first   bool // nothing but blank lines above it
}

// OriginalSender returns who wrote the message that a forward with the
// given subject and text forwards: the From of the innermost forwarded
// header block, as Gmail, Outlook (desktop and web), Apple Mail and
// Thunderbird write them, and as Parse renders a message/rfc822 part. ok
// is false when there is none, or when the innermost block names no
// address.
//
// A block counts as the start of a forward when a forward marker
// introduces it ("---------- Forwarded message ---------", "Begin
// forwarded message:", "-------- Forwarded Message --------"), when it is
// at the very top of the text, or when subject is a forward's ("FW: …")
// and it is the first block, as Outlook forwards with "-----Original
// Message-----" or a bare "From: … Sent: …" block. The chain goes on into
// a later block when that one has a forward marker or when the block
// before it has a forward's subject: quoted reply history inside the
// original message is not mistaken for a further forward.
func OriginalSender(subject, text string) (Address, bool) {
	if len(text) > MaxSplitText {
		text = text[:MaxSplitText]
	}
	blocks := forwardBlocks(strings.Split(text, "\n"))
	start := -1
	for i, b := range blocks {
		if b.forward || b.first || (i == 0 && reply.IsForwardSubject(subject)) {
			start = i
			break
		}
	}
	if start < 0 {
		return Address{}, false
	}
	cur := start
	for next := start + 1; next < len(blocks); next++ {
		if !blocks[next].forward && !blocks[cur].fwdSubj {
			break
		}
		cur = next
	}
	from := blocks[cur].from
	return from, from.Addr != ""
}

// forwardBlocks finds the header blocks in lines, each with its From, in
// order. Lines are read without their ">" quoting.
func forwardBlocks(lines []string) []fwdBlock {
	unq := make([]string, len(lines))
	for i, l := range lines {
		unq[i] = unquoteLine(l)
	}
	var blocks []fwdBlock
	marker := false // a forward marker was just passed
	seenText := false
	for i := 0; i < len(unq) && len(blocks) < maxOriginalBlocks; i++ {
		t := strings.TrimSpace(unq[i])
		switch {
		case t == "":
			continue
		case reply.IsForwardMarker(t):
			marker = true
			continue
		case reply.IsSeparator(t):
			continue // a separator: the block below decides
		}
		if !reply.IsHeaderField(t) || !(marker || reply.HeaderBlockAt(unq, i)) {
			marker, seenText = false, true
			continue
		}
		// The block's fields run to the first blank line; Thunderbird
		// puts Subject and Date above From.
		b := fwdBlock{forward: marker, first: !seenText}
		j := i
		for ; j < len(unq) && strings.TrimSpace(unq[j]) != ""; j++ {
			f := strings.TrimSpace(unq[j])
			switch {
			case b.from == (Address{}) && reply.IsFromField(f):
				b.from = fromValue(f)
			case subjectLabelRE.MatchString(f):
				_, v, _ := strings.Cut(f, ":")
				b.fwdSubj = reply.IsForwardSubject(strings.TrimLeft(v, "* "))
			}
		}
		blocks = append(blocks, b)
		marker, seenText, i = false, true, j-1
	}
	return blocks
}

// unquoteLine drops a line's leading ">" quoting.
func unquoteLine(l string) string {
	t := strings.TrimLeft(l, " \t")
	if !strings.HasPrefix(t, ">") {
		return l
	}
	for strings.HasPrefix(t, ">") {
		t = strings.TrimLeft(t[1:], " \t")
	}
	return t
}

// fromValue reads the address of a "From: …" line: "Name <addr>",
// "Name [mailto:addr]", "addr", or a name alone.
func fromValue(line string) Address {
	_, v, _ := strings.Cut(line, ":")
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "*"))
	v = mailtoRE.ReplaceAllString(v, "<$1>")
	// net/mail reads comments and folding into an address; only one
	// written out as such is taken.
	if a, err := netmail.ParseAddress(v); err == nil && strings.Contains(a.Address, "@") &&
		strings.Contains(strings.ToLower(v), strings.ToLower(a.Address)) {
		return Address{Name: strings.TrimSpace(a.Name), Addr: strings.ToLower(a.Address)}
	}
	loc := bareAddrRE.FindStringIndex(v)
	if loc == nil {
		return Address{Name: oneLine(v)}
	}
	name := v[:loc[0]] + " " + v[loc[1]:]
	name = oneLine(strings.Trim(strings.TrimSpace(name), `"'<>()[] `))
	return Address{Name: strings.Trim(name, `"' `), Addr: strings.ToLower(v[loc[0]:loc[1]])}
}

// original finds the original sender of m, whose header is h: from its
// forwarded text, else X-Original-From, X-Original-Sender, and for a
// forward, Reply-To. Addresses equal to From are no original sender.
func (p *parser) original(h gomail.Header, m *Message) (*Address, string) {
	if a, ok := OriginalSender(m.Subject, m.Text); ok && a.Addr != m.From.Addr {
		return &a, OriginalFromForward
	}
	for _, key := range []string{OriginalFromXOrigFrom, OriginalFromXOrigSendr} {
		if as := p.addresses(h, key); len(as) > 0 && as[0].Addr != "" && as[0].Addr != m.From.Addr {
			a := as[0]
			return &a, key
		}
	}
	if m.Forwarded || reply.IsForwardSubject(m.Subject) {
		for _, a := range m.ReplyTo {
			if a.Addr != "" && a.Addr != m.From.Addr {
				return &a, OriginalFromReplyTo
			}
		}
	}
	return nil, ""
}
