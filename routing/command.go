package routing

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CommandKind names what a staff member asks for by SMS.
type CommandKind string

// Command kinds. Stop, start and help are the carriers' standard keywords;
// the others act on a case.
const (
	CommandAck      CommandKind = "ack"      // I am on it
	CommandCall     CommandKind = "call"     // ring me now, then connect the customer
	CommandDone     CommandKind = "done"     // resolved (or: the follow-up is done)
	CommandNoAnswer CommandKind = "noanswer" // I called from elsewhere, no answer
	CommandSnooze   CommandKind = "snooze"   // remind me later; the due time stays
	CommandUnhappy  CommandKind = "unhappy"  // still unhappy after the call (P8)
	CommandHelp     CommandKind = "help"
	CommandStop     CommandKind = "stop"  // opt out of texts
	CommandStart    CommandKind = "start" // opt back in
)

// Known reports whether k is one of the command kinds.
func (k CommandKind) Known() bool {
	switch k {
	case CommandAck, CommandCall, CommandDone, CommandNoAnswer, CommandSnooze, CommandUnhappy,
		CommandHelp, CommandStop, CommandStart:
		return true
	}
	return false
}

// Command is one SMS from a staff member, parsed.
type Command struct {
	Kind CommandKind
	// CaseID is the case the command is about; 0 when the sender gave
	// none (the gateway then uses their only open case).
	CaseID int64
	// Note is DONE's lessons-learned note, or UNHAPPY's reason: trimmed,
	// valid UTF-8, at most MaxNoteLength bytes, possibly empty.
	Note string
	// Snooze is SNOOZE's duration: DefaultSnooze when none was given.
	// ParseCommand does not check it against the policy; Act does.
	Snooze time.Duration
}

// MaxNoteLength bounds Command.Note, in bytes.
const MaxNoteLength = 1000

// Snooze bounds: DefaultSnooze is the length of a SNOOZE that names no
// duration; MinSnooze is the shortest accepted (Policy.Calls.MaxSnooze
// the longest).
const (
	DefaultSnooze = 30 * time.Minute
	MinSnooze     = time.Minute
)

// maxCommandInput is how much of an SMS ParseCommand reads: a long SMS is
// 1,600 characters, at most 4 bytes each.
const maxCommandInput = 6400

// CommandError is a command that cannot be understood. Reason is a short
// reply, fit to be sent back by SMS.
type CommandError struct {
	Reason string
}

func (e *CommandError) Error() string { return e.Reason }

func commandErr(reason string) error { return &CommandError{Reason: reason} }

// keywords maps what a sender may type to a command kind. Opt-out, opt-in
// and help keywords are those Twilio acts on by default.
var keywords = map[string]CommandKind{
	"ACK": CommandAck, "ACKNOWLEDGE": CommandAck, "ACKNOWLEDGED": CommandAck,
	"CALL":     CommandCall,
	"DONE":     CommandDone,
	"NOANSWER": CommandNoAnswer,
	"SNOOZE":   CommandSnooze,
	"UNHAPPY":  CommandUnhappy,
	"HELP":     CommandHelp, "INFO": CommandHelp,
	"STOP": CommandStop, "STOPALL": CommandStop, "UNSUBSCRIBE": CommandStop, "CANCEL": CommandStop,
	"END": CommandStop, "QUIT": CommandStop, "REVOKE": CommandStop, "OPTOUT": CommandStop,
	"START": CommandStart, "YES": CommandStart, "UNSTOP": CommandStart,
}

// ParseCommand reads an SMS from a staff member: ACK n, CALL n, DONE n
// <note>, NOANSWER n, SNOOZE n 30m, UNHAPPY n <note>, HELP, and the
// carriers' STOP and START keywords. It ignores case and extra spaces,
// accepts "#12" and "case 12" for the case number and a trailing period,
// and leaves CaseID 0 when no number is given. STOP and START count only
// as a message on their own, as carriers count them. An error is a
// *CommandError whose Reason can be sent back as it is.
func ParseCommand(text string) (Command, error) {
	if len(text) > maxCommandInput {
		text = text[:maxCommandInput]
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	if text == "" {
		return Command{}, commandErr("Empty message. Reply HELP for the list of commands.")
	}
	field := text
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		field = text[:i]
	}
	word := keywordPrefix(text)
	rest := text[len(word):]
	if rest != "" && !startsArgs(rest) {
		word = "" // "ACKX": not a keyword followed by its arguments
	}
	kw := strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(word))
	if kw == "NO" { // "NO ANSWER 12"
		if next := keywordPrefix(strings.TrimSpace(rest)); strings.EqualFold(next, "answer") {
			kw, rest = "NOANSWER", strings.TrimSpace(rest)[len(next):]
		}
	}
	kind, ok := keywords[kw]
	if !ok {
		return Command{}, commandErr("Unknown command \"" + quote(field) + "\". Reply HELP for the list.")
	}
	rest = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(rest), ".,:;!?"))
	cmd := Command{Kind: kind}
	switch kind {
	case CommandHelp:
		return cmd, nil
	case CommandStop, CommandStart:
		if rest == "" {
			return cmd, nil
		}
		if kind == CommandStop {
			return Command{}, commandErr("To stop texts, reply STOP on its own. Reply HELP for the list of commands.")
		}
		return Command{}, commandErr("Unknown command \"" + quote(field) + "\". Reply HELP for the list.")
	}
	id, rest, err := parseCaseRef(rest, kw)
	if err != nil {
		return Command{}, err
	}
	cmd.CaseID = id
	switch kind {
	case CommandDone, CommandUnhappy:
		cmd.Note = cleanNote(rest)
	case CommandSnooze:
		cmd.Snooze = DefaultSnooze
		if len(rest) > 4 && strings.EqualFold(rest[:4], "for ") {
			rest = strings.TrimSpace(rest[4:])
		}
		if rest != "" {
			d, ok := parseSnooze(rest)
			if !ok {
				return Command{}, commandErr("SNOOZE needs a duration like 30m or 2h, e.g. SNOOZE " + example(id) + " 30m.")
			}
			cmd.Snooze = d
		}
	default:
		if strings.Trim(rest, ".!?") != "" {
			return Command{}, commandErr(kw + " takes just a case number, like " + kw + " " + example(id) + ".")
		}
	}
	return cmd, nil
}

// keywordPrefix returns the leading ASCII letters, hyphens and underscores
// of s.
func keywordPrefix(s string) string {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] == '-' || s[i] == '_') {
		i++
	}
	return s[:i]
}

// startsArgs reports whether s, which follows a keyword, starts its
// arguments rather than continuing the word.
func startsArgs(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r >= '0' && r <= '9' || strings.ContainsRune("#.,:;!?", r)
}

// parseCaseRef reads an optional case number, "12", "#12", "case 12" or
// "case #12", from the start of s, and returns what follows it. A number
// glued to a unit ("30m", "1.5h") is not a case number.
func parseCaseRef(s, kw string) (int64, string, error) {
	t := s
	if len(t) >= 4 && strings.EqualFold(t[:4], "case") {
		// "case 12", "case #12", "Case: 12"; otherwise "case" is a word of a note.
		if after := strings.TrimSpace(strings.TrimLeft(t[4:], ".:")); after != "" && (after[0] == '#' || isDigit(after[0])) {
			t = after
		}
	}
	hash := strings.HasPrefix(t, "#")
	if hash {
		t = strings.TrimSpace(t[1:])
	}
	i := 0
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	if i == 0 || !endsNumber(t[i:]) {
		if hash {
			return 0, "", commandErr("That is not a case number. Try " + kw + " 12.")
		}
		return 0, s, nil
	}
	if i > 18 {
		return 0, "", commandErr("That case number is too long. Try " + kw + " 12.")
	}
	id, _ := strconv.ParseInt(t[:i], 10, 64)
	if id == 0 {
		return 0, "", commandErr("There is no case 0. Try " + kw + " 12.")
	}
	return id, strings.TrimSpace(t[i:]), nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// endsNumber reports whether s, which follows digits, ends the number: the
// end of the text, a space or punctuation (but not a decimal point).
func endsNumber(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == '.' && len(s) > 1 && isDigit(s[1]) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || strings.ContainsRune(".,:;!?)", r)
}

// snoozeUnits maps the units SNOOZE accepts to their length.
var snoozeUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
}

// maxSnoozeParsed caps what parseSnooze returns; Act refuses anything
// above Policy.Calls.MaxSnooze anyway.
const maxSnoozeParsed = 1000 * time.Hour

// parseSnooze reads "30m", "45min", "2h", "1h30m", "1.5 hours" or a bare
// "30" (minutes). It fails on zero and on anything else.
func parseSnooze(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(strings.TrimRight(s, ".!")), ""))
	if s == "" || len(s) > 32 {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i > 8 {
			return 0, false
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, false
		}
		s = s[i:]
		j := 0
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		unit := time.Minute
		if j > 0 {
			u, ok := snoozeUnits[s[:j]]
			if !ok {
				return 0, false
			}
			unit = u
		} else if s != "" {
			return 0, false
		}
		s = s[j:]
		total += time.Duration(min(n*float64(unit), float64(maxSnoozeParsed)))
	}
	total = min(total, maxSnoozeParsed)
	if total < time.Minute/2 {
		return 0, false
	}
	return total.Round(time.Minute), true
}

// cleanNote trims a free-text note, turns control characters into spaces
// and cuts it to MaxNoteLength.
func cleanNote(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(":-–—,;", r) }))
	if strings.Trim(s, ".!?") == "" {
		return ""
	}
	return cut(s, MaxNoteLength)
}

// quote makes a short, printable excerpt of what the sender typed.
func quote(s string) string {
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || r == '"' {
			return -1
		}
		return r
	}, s)
	return cut(s, 24)
}

func example(id int64) string {
	if id == 0 {
		return "12"
	}
	return strconv.FormatInt(id, 10)
}

// HelpText lists the commands, one line each, within one SMS.
func HelpText() string {
	return "Commands (n = case number; leave it out when you have one open case):\n" +
		"ACK n - I'm on it\n" +
		"CALL n - ring me now, then connect the customer\n" +
		"NOANSWER n - I called, no answer\n" +
		"DONE n note - resolved; note what we learned\n" +
		"SNOOZE n 30m - remind me later (the due time stays)\n" +
		"UNHAPPY n note - still unhappy after the call: manager and QA take over\n" +
		"HELP - this list\n" +
		"STOP / START - texts off / on"
}

// OptOutReply is the reply to an opt-out, opt-in or help keyword: "" for
// STOP (the carrier's own confirmation is the reply), HelpText for HELP.
func OptOutReply(kind CommandKind) string {
	switch kind {
	case CommandStart:
		return "You will get case texts again. Reply HELP for the commands, STOP to stop."
	case CommandHelp:
		return HelpText()
	}
	return ""
}
