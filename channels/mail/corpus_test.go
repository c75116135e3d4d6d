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
func corporaDir(t *testing.T) string {
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

// sisimaiLabel maps a sisimai file name to the kind it should be detected
// as; ok is false for files whose label this package does not judge.
func sisimaiLabel(name string) (want string, ok bool) {
	switch {
	case strings.HasPrefix(name, "lhost-"), strings.HasPrefix(name, "rhost-"), strings.HasPrefix(name, "rfc3464-"):
		return "bounce", true
	case strings.HasPrefix(name, "rfc3834-"):
		return "auto_reply", true
	case strings.HasPrefix(name, "is-not-bounce-"):
		return "not_bounce", true
	}
	return "", false
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
	tallies := map[string]*tally{"bounce": {}, "auto_reply": {}, "not_bounce": {}}
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := sisimaiLabel(name)
		if !ok {
			continue
		}
		tl := tallies[want]
		tl.total++
		m, _ := parseFile(t, path)
		got := "parse error"
		if m != nil {
			got = string(m.Auto)
		}
		hit := got == want || want == "not_bounce" && m != nil && m.Auto != AutoBounce
		if hit {
			tl.hit++
		} else {
			tl.misses = append(tl.misses, name+"="+got)
		}
	}
	// Floors just under the measured rates (bounce 598/609 = 98.2%). The
	// misses are bounces with no standard mark: Amazon SES JSON
	// notifications, mailing-list robot notices (fml), Japanese-only KDDI
	// subjects and a bounce forwarded by a person.
	floors := map[string]float64{"bounce": 97.5, "auto_reply": 100, "not_bounce": 100}
	for _, kind := range []string{"bounce", "auto_reply", "not_bounce"} {
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
