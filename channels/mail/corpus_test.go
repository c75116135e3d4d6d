package mail

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corporaDir returns the shared mail corpora (../shared/corpora from the
// directory holding go.mod), or skips the test when they are absent, as in
// a user's clone. The files are read in place and never copied.
func corporaDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("Getwd() = %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("skipping corpus test: no go.mod above the test directory")
		}
		dir = parent
	}
	corpora := filepath.Join(filepath.Dir(dir), "shared", "corpora")
	if fi, err := os.Stat(corpora); err != nil || !fi.IsDir() {
		t.Skipf("skipping corpus test: %s not found (the shared corpora are only in CI and the team checkout)", corpora)
	}
	return corpora
}

// parseFile parses one corpus file, failing the test on a panic or on an
// error that is not a *ParseError with a reason.
func parseFile(t *testing.T, path string) (*Message, *ParseError) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var m *Message
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Parse(%s) panicked: %v", path, r)
			}
		}()
		m, err = Parse(f, Options{})
	}()
	if err == nil {
		if m == nil {
			t.Errorf("Parse(%s) = nil, nil; want a Message or an error", path)
		}
		return m, nil
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Reason == "" {
		t.Errorf("Parse(%s) error = %v; want a *ParseError with a Reason", path, err)
		return nil, nil
	}
	return nil, pe
}

// isCorpusMetaFile reports whether a corpus file is documentation or an
// expected-output file rather than a message.
func isCorpusMetaFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasPrefix(lower, "readme") || strings.Contains(lower, "license") ||
		strings.HasPrefix(lower, ".git") || strings.HasSuffix(lower, ".html") ||
		strings.HasSuffix(lower, "_reply_text")
}

func TestCorporaParseWithoutPanic(t *testing.T) {
	t.Parallel()
	root := corporaDir(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("ReadDir(%s) = %v", root, err)
	}
	// Floors just under the measured share of messages that parse; the
	// rest are hand-made fragments without sender and body, or empty.
	floors := map[string]float64{"enmime-testdata": 95, "sisimai-bounces": 99, "hunnysoft-mime-samples": 100,
		"ruby-mail-fixtures": 100, "talon-replies": 100}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		corpus := e.Name()
		t.Run(corpus, func(t *testing.T) {
			t.Parallel()
			var mails, parsed, warned, textless, other int
			reasons := map[string]int{}
			err := filepath.WalkDir(filepath.Join(root, corpus), func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				m, pe := parseFile(t, path)
				if isCorpusMetaFile(d.Name()) {
					other++ // parsed too, for robustness, but not counted
					return nil
				}
				mails++
				switch {
				case m != nil:
					parsed++
					if len(m.Warnings) > 0 {
						warned++
					}
					if m.Text == "" {
						textless++
					}
				case pe != nil:
					reasons[pe.Reason+": "+d.Name()]++
				}
				return nil
			})
			if err != nil {
				t.Fatalf("walk %s: %v", corpus, err)
			}
			if mails == 0 {
				t.Fatalf("no messages in corpus %s", corpus)
			}
			rate := pct(parsed, mails)
			t.Logf("%s: %d messages, %d parsed (%.1f%%), %d with warnings, %d without text; %d other files; ParseErrors: %v",
				corpus, mails, parsed, rate, warned, textless, other, reasons)
			if floor, ok := floors[corpus]; ok && rate < floor {
				t.Errorf("%s: %.1f%% of messages parsed, want >= %.1f%%", corpus, rate, floor)
			}
		})
	}
}

func pct(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

// sisimaiLabel maps a sisimai file name to its label: the kind it should
// be detected as, or "arf" for feedback reports (detected as bounces); ok
// is false for files whose label this package does not judge.
func sisimaiLabel(name string) (want string, ok bool) {
	switch {
	case strings.HasPrefix(name, "lhost-"), strings.HasPrefix(name, "rhost-"), strings.HasPrefix(name, "rfc3464-"):
		return "bounce", true
	case strings.HasPrefix(name, "arf-"):
		return "arf", true // feedback reports (RFC 5965), filed as bounces
	case strings.HasPrefix(name, "rfc3834-"):
		return "auto_reply", true
	case strings.HasPrefix(name, "is-not-bounce-"):
		return "not_bounce", true
	}
	return "", false
}

// sisimaiMislabelled holds the sisimai files whose name gives a kind they
// are not, as this package sees them, with the kind they are and why.
var sisimaiMislabelled = map[string]struct {
	kind AutoKind
	why  string
}{
	"lhost-sendmail-14.eml": {AutoNone, "a person forwarding a bounce inline (Fwd: Returned mail) wrote it"},
	"arf-26.eml":            {AutoReply, "an Apple Mail unsubscribe request (Auto-Submitted: auto-replied), not a feedback report"},
}

func TestSisimaiDetection(t *testing.T) {
	t.Parallel()
	root := filepath.Join(corporaDir(t), "sisimai-bounces", "maildir")
	// bsd holds every message once (dos and mac are line-ending copies);
	// not and tmp hold a few more.
	var files []string
	for _, sub := range []string{"bsd", "not", "tmp"} {
		matches, err := filepath.Glob(filepath.Join(root, sub, "*.eml"))
		if err != nil {
			t.Fatalf("Glob(%s) = %v", sub, err)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	type tally struct {
		total, hit int
		misses     []string
	}
	tallies := map[string]*tally{"bounce": {}, "arf": {}, "auto_reply": {}, "not_bounce": {}}
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := sisimaiLabel(name)
		if !ok {
			continue
		}
		m, _ := parseFile(t, path)
		got := "parse error"
		if m != nil {
			got = string(m.Auto)
		}
		if ex, ok := sisimaiMislabelled[name]; ok {
			if got != string(ex.kind) {
				t.Errorf("Parse(%s).Auto = %q, want %q: %s", name, got, ex.kind, ex.why)
			}
			continue
		}
		tl := tallies[want]
		tl.total++
		hit := got == want || want == "arf" && got == string(AutoBounce) ||
			want == "not_bounce" && m != nil && m.Auto != AutoBounce
		if hit {
			tl.hit++
		} else {
			tl.misses = append(tl.misses, name+"="+got)
		}
	}
	// Every labelled message is recognised (bounce 608/608, arf 16/16,
	// auto_reply 6/6, not_bounce 2/2); the files in sisimaiMislabelled are
	// checked for what they are instead.
	floors := map[string]float64{"bounce": 100, "arf": 100, "auto_reply": 100, "not_bounce": 100}
	for _, kind := range []string{"bounce", "arf", "auto_reply", "not_bounce"} {
		tl := tallies[kind]
		rate := pct(tl.hit, tl.total)
		t.Logf("%s: %d/%d detected (%.1f%%); misses: %v", kind, tl.hit, tl.total, rate, tl.misses)
		if tl.total == 0 {
			t.Errorf("no sisimai files labelled %s", kind)
			continue
		}
		if rate < floors[kind] {
			t.Errorf("%s detection = %.1f%% (%d/%d), want >= %.1f%%", kind, rate, tl.hit, tl.total, floors[kind])
		}
	}
}

// corpusAutoKinds lists the machine mail in the corpora other than
// sisimai, by corpus and path; every other message there is a person's.
var corpusAutoKinds = map[string]AutoKind{
	"enmime-testdata/mail/multipart-wo-boundary.raw":                                  AutoBounce,
	"ruby-mail-fixtures/error_emails/bad_date_header.eml":                             AutoList, // spam with Precedence: junk
	"ruby-mail-fixtures/mime_emails/raw_email_with_mimepart_without_content_type.eml": AutoBounce,
	"ruby-mail-fixtures/multipart_report_emails/multi_address_bounce1.eml":            AutoBounce,
	"ruby-mail-fixtures/multipart_report_emails/multi_address_bounce2.eml":            AutoBounce,
	"ruby-mail-fixtures/multipart_report_emails/multipart_report_multiple_status.eml": AutoBounce,
	"ruby-mail-fixtures/multipart_report_emails/report_422.eml":                       AutoBounce,
	"ruby-mail-fixtures/multipart_report_emails/report_530.eml":                       AutoBounce,
	// A person's post to an ezmlm list (hunnysoft m0024.txt) and one with
	// a List-Id (ruby error_emails/empty_in_reply_to.eml) are a person's.
}

// TestCorporaAutoKinds checks that the corpora other than sisimai keep
// their machine mail recognised and their people's mail a person's.
func TestCorporaAutoKinds(t *testing.T) {
	t.Parallel()
	root := corporaDir(t)
	seen := 0
	for _, corpus := range []string{"enmime-testdata", "hunnysoft-mime-samples", "ruby-mail-fixtures", "talon-replies"} {
		err := filepath.WalkDir(filepath.Join(root, corpus), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || isCorpusMetaFile(d.Name()) {
				return err
			}
			m, _ := parseFile(t, path)
			if m == nil {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			want := corpusAutoKinds[rel]
			if want != AutoNone {
				seen++
			}
			if m.Auto != want {
				t.Errorf("Parse(%s) Auto, AutoReason = %q, %q; want %q", rel, m.Auto, m.AutoReason, want)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", corpus, err)
		}
	}
	if seen != len(corpusAutoKinds) {
		t.Errorf("found %d of the %d machine messages listed in corpusAutoKinds", seen, len(corpusAutoKinds))
	}
}

// TestSisimaiLineEndings checks that the CRLF (dos) and CR-only (mac)
// copies of sisimai messages parse as their LF (bsd) originals do.
func TestSisimaiLineEndings(t *testing.T) {
	t.Parallel()
	root := filepath.Join(corporaDir(t), "sisimai-bounces", "maildir")
	compared := 0
	for _, sub := range []string{"dos", "mac"} {
		files, err := filepath.Glob(filepath.Join(root, sub, "*.eml"))
		if err != nil {
			t.Fatalf("Glob(%s) = %v", sub, err)
		}
		for _, path := range files {
			orig := filepath.Join(root, "bsd", filepath.Base(path))
			if _, err := os.Stat(orig); err != nil {
				continue
			}
			got, _ := parseFile(t, path)
			want, _ := parseFile(t, orig)
			if got == nil || want == nil {
				t.Errorf("Parse(%s) or Parse(%s) failed", path, orig)
				continue
			}
			compared++
			if got.Auto != want.Auto || got.Subject != want.Subject || got.From != want.From ||
				got.NewText != want.NewText || len(got.Attachments) != len(want.Attachments) {
				t.Errorf("Parse(%s) = Auto %q, Subject %q, From %v, %d attachments; want as %s: %q, %q, %v, %d",
					path, got.Auto, got.Subject, got.From, len(got.Attachments), orig, want.Auto, want.Subject, want.From, len(want.Attachments))
			}
		}
	}
	t.Logf("compared %d dos/mac copies with their bsd originals", compared)
	if compared == 0 {
		t.Errorf("no dos/mac copies found to compare")
	}
}
