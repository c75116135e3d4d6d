package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/nlp"
)

// scored is one line of `triage score --json`.
type scored struct {
	File    string      `json:"file,omitempty"`
	Channel nlp.Channel `json:"channel"`
	Subject string      `json:"subject,omitempty"`
	nlp.Assessment
}

func score(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: triage score [--json] [--channel email|voicemail] [--date RFC3339] [--staff \"Name, Name\"] FILE|- ...")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object per file")
	channel := fs.String("channel", "", "email or voicemail (default: email for input that starts with a header block holding From, Subject or Date, voicemail for plain text)")
	dateFlag := fs.String("date", "", "the message's date, RFC 3339 (default: the email's Date header, else now)")
	staffFlag := fs.String("staff", "", "comma-separated staff names to recognise (default: the -config staff)")
	configPath := fs.String("config", "", "configuration file for the staff directory and nlp.dir")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	if *channel != "" && *channel != "email" && *channel != "voicemail" {
		return fmt.Errorf("score: --channel %q: want email or voicemail", *channel)
	}
	var date time.Time
	if *dateFlag != "" {
		d, err := time.Parse(time.RFC3339, *dateFlag)
		if err != nil {
			return fmt.Errorf("score: --date: %w", err)
		}
		date = d
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	staff := staffNames(*staffFlag)
	if *staffFlag == "" {
		for _, s := range cfg.Staff {
			staff = append(staff, nlp.StaffName{Name: s.Name, Aliases: s.Aliases})
		}
	}
	analyzer, err := gateway.LoadAnalyzer(cfg.NLP.Dir)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	var failed []error
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, subject, err := readInput(name, stdin, nlp.Channel(*channel))
		if err != nil {
			fmt.Fprintf(stderr, "triage score: %s: %v\n", name, err)
			failed = append(failed, err)
			continue
		}
		if !date.IsZero() {
			in.Date = date
		}
		if in.Date.IsZero() {
			in.Date = time.Now()
		}
		in.Staff = staff
		a := analyzer.Analyze(in)
		if *asJSON {
			if err := enc.Encode(scored{File: name, Channel: in.Channel, Subject: subject, Assessment: a}); err != nil {
				return fmt.Errorf("score: write: %w", err)
			}
			continue
		}
		printAssessment(stdout, name, in, a)
	}
	if len(failed) > 0 {
		return fmt.Errorf("score: %d of %d inputs could not be read", len(failed), fs.NArg())
	}
	return nil
}

func staffNames(list string) []nlp.StaffName {
	var out []nlp.StaffName
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, nlp.StaffName{Name: n})
		}
	}
	return out
}

// headerField is how an RFC 5322 header field starts: a name of printable
// ASCII without a colon, then the colon (obsolete syntax allows blanks
// before it).
var headerField = regexp.MustCompile(`^([!-9;-~]+)[ \t]*:`)

// asEmail returns the part of b to parse as an email, and true, when b is
// one: when, past a UTF-8 byte order mark, blank lines and an mbox "From "
// line, it starts with a header block (fields and their continuation
// lines) that ends with a blank line and holds a From, Subject or Date
// field. Anything else is plain text, such as a transcript whose first
// line happens to hold a colon ("Caller: Jane Doe").
func asEmail(b []byte) ([]byte, bool) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	for {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok || len(bytes.TrimSpace(line)) > 0 {
			break
		}
		b = rest
	}
	if bytes.HasPrefix(b, []byte("From ")) { // an mbox separator line
		_, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return nil, false
		}
		b = rest
	}
	known := false
	for rest, first := b, true; ; first = false {
		line, next, more := bytes.Cut(rest, []byte("\n"))
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			return b, known // the blank line that ends the header block
		case line[0] == ' ' || line[0] == '\t':
			if first {
				return nil, false // a continuation of nothing
			}
		default:
			m := headerField.FindSubmatch(line)
			if m == nil {
				return nil, false
			}
			switch strings.ToLower(string(m[1])) {
			case "from", "subject", "date":
				known = true
			}
		}
		if !more {
			return nil, false // no blank line after the fields
		}
		rest = next
	}
}

// readInput reads one file (or stdin for "-") as an email when it is one
// (see asEmail) and no other channel was asked for, else as a transcript.
func readInput(name string, stdin io.Reader, channel nlp.Channel) (nlp.Input, string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 32<<20))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nlp.Input{}, "", err
	}
	if msg, ok := asEmail(b); ok && (channel == "" || channel == nlp.ChannelEmail) {
		m, err := mail.Parse(bytes.NewReader(msg), mail.Options{})
		if err != nil {
			var pe *mail.ParseError
			if errors.As(err, &pe) {
				return nlp.Input{}, "", fmt.Errorf("not a readable email: %s", pe.Reason)
			}
			return nlp.Input{}, "", err
		}
		text, quoted := m.NewText, m.Quoted
		if strings.TrimSpace(text) == "" {
			text, quoted = m.Text, ""
		}
		return nlp.Input{Subject: m.Subject, Text: text, Quoted: quoted, Channel: nlp.ChannelEmail, Date: m.Date}, m.Subject, nil
	}
	if channel == "" {
		channel = nlp.ChannelVoicemail // text with no headers: a transcript
	}
	// Plain text read as email is split as the parser splits a body; a
	// transcript is not.
	return nlp.SplitReply(nlp.Input{Text: string(b), Channel: channel}), "", nil
}

func printAssessment(w io.Writer, name string, in nlp.Input, a nlp.Assessment) {
	fmt.Fprintf(w, "%s (%s)\n", name, in.Channel)
	if in.Subject != "" {
		fmt.Fprintf(w, "  subject:  %s\n", in.Subject)
	}
	fmt.Fprintf(w, "  tone:     %s (%+.2f)%s\n", a.Tone.Label, a.Tone.Score, evidenceText(a.Tone.Evidence))
	fmt.Fprintf(w, "  urgency:  %s (%.2f)%s\n", a.Urgency.Level, a.Urgency.Score, evidenceText(a.Urgency.Evidence))
	if !a.Urgency.Deadline.IsZero() {
		fmt.Fprintf(w, "  deadline: %s\n", a.Urgency.Deadline.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	fmt.Fprintf(w, "  category: %s %v%s\n", a.Category.Primary, a.Category.All, evidenceText(a.Category.Evidence))
	fmt.Fprintf(w, "  language: %s (english=%v)\n", a.Language.Code, a.Language.English)
	if len(a.StaffComplainedAbout) > 0 {
		fmt.Fprintf(w, "  about staff: %s\n", strings.Join(a.StaffComplainedAbout, ", "))
	}
	for _, e := range a.StaffEvidence {
		if e.Rule == "learned: staff" || e.Rule == "rules: staff" {
			fmt.Fprintf(w, "  staff named: %s\n", e.Phrase)
		} else {
			fmt.Fprintf(w, "               %s %q %+.2f\n", strings.TrimPrefix(e.Rule, "learned: "), e.Phrase, e.Weight)
		}
	}
	if f, _ := json.Marshal(a.Facts); string(f) != "{}" {
		fmt.Fprintf(w, "  facts:    %s\n", f)
	}
	fmt.Fprintf(w, "  summary:  %s\n", a.Summary)
	for _, h := range a.Heard {
		fmt.Fprintf(w, "  heard:    - %s\n", h)
	}
	fmt.Fprintln(w)
}

func evidenceText(ev []nlp.Evidence) string {
	if len(ev) == 0 {
		return ""
	}
	if !strings.HasPrefix(ev[0].Rule, "learned") {
		return "  ← " + phrases(ev, 4)
	}
	// A learned decision: the heads' verdict, the features that weighed
	// most for it, then the rules that fired (the learned layer weighed
	// their signals with everything else).
	var summary string
	var weighed, rules, overrides []nlp.Evidence
	for _, e := range ev {
		switch {
		case e.Rule == "learned":
			summary = e.Phrase
		case strings.HasPrefix(e.Rule, "learned: "):
			weighed = append(weighed, e)
		case strings.HasPrefix(e.Rule, "override"):
			overrides = append(overrides, e)
		default:
			rules = append(rules, e)
		}
	}
	var b strings.Builder
	b.WriteString("\n            " + summary)
	for _, e := range overrides {
		b.WriteString("\n            " + e.Rule + ": " + e.Phrase)
	}
	if len(weighed) > 0 {
		parts := make([]string, len(weighed))
		for i, e := range weighed {
			parts[i] = fmt.Sprintf("%q %+.2f", e.Phrase, e.Weight)
			if kind := strings.TrimPrefix(e.Rule, "learned: "); kind != "words" {
				parts[i] = kind + " " + parts[i]
			}
		}
		b.WriteString("\n            weighed most: " + strings.Join(parts, ", "))
	}
	if len(rules) > 0 {
		b.WriteString("\n            rules fired: " + phrases(rules, 4))
	}
	return b.String()
}

// phrases lists up to n pieces of evidence as rule "phrase".
func phrases(ev []nlp.Evidence, n int) string {
	parts := make([]string, 0, min(len(ev), n))
	for _, e := range ev[:min(len(ev), n)] {
		rule := strings.TrimPrefix(e.Rule, "rules: ")
		if e.Phrase != "" {
			parts = append(parts, fmt.Sprintf("%s %q", rule, e.Phrase))
		} else {
			parts = append(parts, rule)
		}
	}
	more := ""
	if len(ev) > n {
		more = fmt.Sprintf(" +%d", len(ev)-n)
	}
	return strings.Join(parts, ", ") + more
}
