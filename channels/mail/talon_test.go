package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-gw/triage/nlp/reply"
)

// normalizeReply trims trailing whitespace from lines and blank lines at
// both ends, so texts compare regardless of layout details.
func normalizeReply(s string) string {
	return reply.TidyText(strings.ReplaceAll(s, "\r\n", "\n"))
}

// withSignature puts a split signature back after a "-- " line, the way
// talon's expected replies keep it.
func withSignature(m *Message) string {
	if m.Signature == "" {
		return m.NewText
	}
	return m.NewText + "\n\n-- \n" + m.Signature
}

func TestTalonStandardReplies(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(corporaDir(t), "talon-replies", "standard_replies")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("Glob(%s) = %v, %v; want the talon replies", dir, files, err)
	}
	// Every standard reply answers "Hi" with "Hello"; talon gives the full
	// expected reply for two of them.
	expected := map[string]string{}
	for eml, want := range map[string]string{"iphone.eml": "iphone_reply_text", "sparrow.eml": "sparrow_reply_text"} {
		b, err := os.ReadFile(filepath.Join(dir, want))
		if err != nil {
			t.Fatalf("read %s: %v", want, err)
		}
		expected[eml] = normalizeReply(string(b))
	}
	matched := 0
	for _, path := range files {
		name := filepath.Base(path)
		m, pe := parseFile(t, path)
		if m == nil {
			t.Errorf("Parse(%s) = %v, want a Message", name, pe)
			continue
		}
		want, ok := expected[name]
		if !ok {
			want = "Hello"
		}
		got := normalizeReply(withSignature(m))
		if got == want {
			matched++
		} else {
			t.Errorf("Parse(%s) NewText+Signature = %q, want %q", name, got, want)
		}
		for _, line := range strings.Split(m.NewText, "\n") {
			l := strings.TrimSpace(line)
			if reply.IsQuoted(l) || l == "Hi" || strings.HasSuffix(l, "wrote:") || strings.Contains(l, "Original Message") ||
				reply.IsFromField(l) || strings.Contains(l, "The manager") {
				t.Errorf("Parse(%s).NewText holds quoted line %q", name, line)
			}
		}
		if m.Quoted == "" {
			t.Errorf("Parse(%s).Quoted = \"\", want the quoted history", name)
		}
	}
	t.Logf("talon standard replies: %d/%d new texts match", matched, len(files))
}

func TestTalonHTMLReplies(t *testing.T) {
	t.Parallel()
	root := filepath.Join(corporaDir(t), "talon-replies")
	files, err := filepath.Glob(filepath.Join(root, "html_replies", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("Glob(html_replies) = %v, %v; want the talon HTML replies", files, err)
	}
	want := map[string]string{
		"OLK_SRC_BODY_SECTION.html":  "Reply",
		"reply-separated-by-hr.html": "Hi\nthere\nBob",
	}
	for _, f := range files {
		want[filepath.Base(f)] = "Hi. I am fine.\nThanks,\nAlex"
	}
	for name, w := range want {
		path := filepath.Join(root, "html_replies", name)
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(root, name)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v", name, err)
			continue
		}
		text := htmlToText(decodeCharset(metaCharset(b), normalizeNewlines(b), func(string) {}))
		s := reply.Split(text, "")
		// Outlook's HTML has no blank lines between paragraphs; compare
		// without them.
		if got := dropBlankLines(s.NewText); got != w {
			t.Errorf("reply.Split(htmlToText(%s)).NewText = %q, want %q", name, got, w)
		}
	}
}

func dropBlankLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}
