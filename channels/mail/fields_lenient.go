package mail

import (
	"fmt"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"
)

// The lenient parsers below read the header fields go-message refuses:
// address lists with obsolete or broken syntax, dates in the layouts seen
// in the wild and message ids without angle brackets.

// addressList parses an address-list header (From, To, Cc, Reply-To) that
// go-message refused: raw 8-bit bytes are decoded first, then net/mail
// parses the list with a word decoder that knows every charset
// decodeCharset does, and a forgiving split takes over when the list is
// not RFC 5322.
func (p *parser) addressList(name, raw string) []Address {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	s := p.rawHeaderBytes(raw)
	ap := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: p.wordCharsetReader}}
	if list, err := ap.ParseList(s); err == nil {
		return p.toAddresses(list)
	}
	return p.splitAddresses(name, s)
}

// toAddresses converts addresses parsed by net/mail (directly or through
// go-message), lower-casing the addresses and tidying the names.
func (p *parser) toAddresses(list []*netmail.Address) []Address {
	var out []Address
	for _, a := range list {
		out = append(out, Address{Name: p.addressName(a.Name), Addr: strings.ToLower(a.Address)})
	}
	return out
}

// splitAddresses is the forgiving reader of an address list that is not
// RFC 5322: a split at commas and semicolons, then lenientAddress.
func (p *parser) splitAddresses(name, s string) []Address {
	var out []Address
	for _, part := range splitAddressList(s) {
		if a, ok := p.lenientAddress(part); ok {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		p.warn(fmt.Sprintf("unparseable %s header %q", name, clip(s, 60)))
	} else {
		p.warn(fmt.Sprintf("malformed %s header parsed leniently", name))
	}
	return out
}

// splitAddressList splits s at commas and semicolons outside quotes,
// comments and angle brackets, dropping group names ("team: a, b;").
func splitAddressList(s string) []string {
	var parts []string
	var cur strings.Builder
	inQuote, angle, paren := false, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inQuote && i+1 < len(s):
			cur.WriteByte(c)
			i++
			c = s[i]
		case c == '"' && paren == 0:
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case paren > 0:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case angle > 0:
		case c == ',' || c == ';':
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		case c == ':':
			// Group name: drop what came before it.
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

var commentRE = regexp.MustCompile(`\(([^()]*)\)`)

// lenientAddress parses one mailbox such as `Ann Lee <ann@x>`,
// `ann@x (Ann Lee)`, `"Lee, Ann" ann@x`, `MAILER-DAEMON` or
// `MAILER-DAEMON <>` (a name with an empty address).
func (p *parser) lenientAddress(s string) (Address, bool) {
	s = strings.TrimSpace(s)
	var name, addr string
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		addr = s[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
		name = s[:i]
	} else {
		if m := commentRE.FindStringSubmatch(s); m != nil {
			name = m[1]
			s = commentRE.ReplaceAllString(s, " ")
		}
		fields := strings.Fields(s)
		for _, f := range fields {
			if strings.Contains(f, "@") {
				addr = f
			}
		}
		if addr == "" && len(fields) == 1 {
			addr = fields[0]
		} else if addr != "" && name == "" {
			name = strings.TrimSpace(strings.Replace(s, addr, "", 1))
		}
	}
	addr = strings.Trim(strings.TrimSpace(addr), `"'`)
	addr = strings.TrimPrefix(strings.ToLower(addr), "mailto:")
	name = p.addressName(name)
	if strings.ContainsAny(addr, " \t") {
		return Address{}, false
	}
	if addr == "" && name == "" {
		return Address{}, false
	}
	return Address{Name: name, Addr: addr}, true
}

// addressName cleans a display name: quotes, escapes and leftover
// encoded words.
func (p *parser) addressName(name string) string {
	name = strings.TrimSpace(name)
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		name = strings.ReplaceAll(name[1:len(name)-1], `\"`, `"`)
	}
	if strings.Contains(name, "=?") {
		name = p.headerText(name)
	}
	return strings.Join(strings.Fields(name), " ")
}

// parseDate parses a Date header go-message refused: comments dropped and
// spacing repaired, then RFC 5322 and the layouts seen in the wild.
func parseDate(v string) (time.Time, bool) {
	s := commentRE.ReplaceAllString(v, " ")
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, ",", ", ")), " ")
	s = strings.ReplaceAll(s, " ,", ",")
	s = strings.TrimRight(s, ". ")
	if t, err := netmail.ParseDate(s); err == nil {
		return t, true
	}
	for _, layout := range [...]string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"Mon, 2 Jan 2006 15:04:05",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 Jan 06 15:04:05 MST",
		"2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04:05 MST",
		"Mon, Jan 2 2006 15:04:05 -0700",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		"Mon Jan 2 15:04:05 -0700 2006",
		"Monday, January 2, 2006 3:04 PM",
		"Monday, 2 January 2006 15:04:05 -0700",
		"2006-01-02 15:04:05 -0700",
		time.RFC3339,
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var msgIDRE = regexp.MustCompile(`<([^<>]*)>`)

// msgIDs returns the message ids in an In-Reply-To, References or
// Message-ID value, without angle brackets. Without brackets, the words
// holding an "@" are taken.
func msgIDs(v string) []string {
	var ids []string
	for _, m := range msgIDRE.FindAllStringSubmatch(v, -1) {
		if id := strings.Join(strings.Fields(m[1]), ""); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		return ids
	}
	for _, f := range strings.Fields(commentRE.ReplaceAllString(v, " ")) {
		if f = strings.Trim(f, "<>,;"); strings.Contains(f, "@") {
			ids = append(ids, f)
		}
	}
	return ids
}
