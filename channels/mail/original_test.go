package mail

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each client's forward, nested forwards, rfc822 parts and the header
// forms give the original sender; a staff reply with quoted history gives
// none.
func TestOriginalFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, name, addr, via, resent string
	}{
		{file: "gmail.eml", name: "Jane Doe", addr: "jane@acme.example", via: OriginalFromForward},
		{file: "outlook_desktop.eml", name: "Ravi Menon", addr: "ravi.menon@globex.example", via: OriginalFromForward},
		{file: "outlook_web.eml", name: "Li Wei", addr: "li.wei@initech.example", via: OriginalFromForward},
		{file: "apple.eml", name: "Ana Silva", addr: "ana.silva@umbrella.example", via: OriginalFromForward},
		{file: "thunderbird.eml", name: "Otto Berg", addr: "otto@hooli.example", via: OriginalFromForward},
		{file: "fwd_of_fwd.eml", name: "Kim, Soo-ah", addr: "sooah.kim@stark.example", via: OriginalFromForward},
		{file: "rfc822.eml", name: "Pat Lee", addr: "pat@wayne.example", via: OriginalFromForward},
		{file: "rfc822_nested.eml", name: "Eve Moss", addr: "eve@cyberdyne.example", via: OriginalFromForward},
		{file: "x_original_from.eml", name: "Jane Doe", addr: "jane@acme.example", via: OriginalFromXOrigFrom},
		{file: "google_group.eml", addr: "ravi.menon@globex.example", via: OriginalFromXOrigSendr},
		{file: "reply_to.eml", name: "Li Wei", addr: "li.wei@initech.example", via: OriginalFromReplyTo},
		{file: "resent.eml", resent: "sales@shop.example"},
		{file: "staff_reply.eml"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			m := parseForward(t, filepath.Join("testdata", "forwards", tc.file))
			var got Address
			if m.OriginalFrom != nil {
				got = *m.OriginalFrom
			}
			if got != (Address{Name: tc.name, Addr: tc.addr}) || m.OriginalFromVia != tc.via {
				t.Errorf("OriginalFrom = %+v via %q; want {Name:%s Addr:%s} via %q", got, m.OriginalFromVia, tc.name, tc.addr, tc.via)
			}
			var resent string
			if m.ResentFrom != nil {
				resent = m.ResentFrom.Addr
			}
			if resent != tc.resent {
				t.Errorf("ResentFrom = %q, want %q", resent, tc.resent)
			}
		})
	}
}

func TestOriginalSender(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, subject, text string
		want                Address
		ok                  bool
	}{
		{"no forward", "Hello", "Just a question about my order.", Address{}, false},
		{"forward without a note", "Re: x", "From: Jane <jane@a.example>\nSent: today\nTo: us@b.example\nSubject: x\n\nhello", Address{"Jane", "jane@a.example"}, true},
		{"quoted apple forward", "Fwd: x", "Begin forwarded message:\n\n> From: Ann Lee <Ann@A.example>\n> Subject: x\n\n> text", Address{"Ann Lee", "ann@a.example"}, true},
		{"bold labels from html", "Fwd: x", "---------- Forwarded message ---------\n*From:* Bo <mailto:bo@c.example>\n*Date:* now\n\nhi", Address{"Bo", "bo@c.example"}, true},
		{"bare address", "FW: x", "-----Original Message-----\nFrom: bo@c.example\nSent: now\nTo: x@y.example\nSubject: x\n\nhi", Address{"", "bo@c.example"}, true},
		{"innermost has no address", "Fwd: x", "---------- Forwarded message ---------\nFrom: Jane Doe\nDate: now\n\nhi", Address{Name: "Jane Doe"}, false},
		{"reply history is no forward", "RE: x", "Sure.\n\n________________________________\nFrom: Jane <jane@a.example>\nSent: today\nTo: us@b.example\nSubject: x\n\nhello", Address{}, false},
		{"history inside the original stays out", "Fwd: x", "---------- Forwarded message ---------\nFrom: Jane <jane@a.example>\nSubject: Re: order\n\nStill nothing.\n\nFrom: Tom <tom@b.example>\nSent: Monday\nTo: Jane <jane@a.example>\nSubject: order\n\nIt ships today.", Address{"Jane", "jane@a.example"}, true},
	} {
		got, ok := OriginalSender(tc.subject, tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: OriginalSender(%q, …) = %+v, %v; want %+v, %v", tc.name, tc.subject, got, ok, tc.want, tc.ok)
		}
	}
}

func parseForward(tb testing.TB, path string) *Message {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f, Options{})
	if err != nil {
		tb.Fatalf("Parse(%s) = %v", path, err)
	}
	return m
}

// FuzzOriginalSender checks that the finder never panics and that an
// address it returns is lower-case, holds an @ and was in the text.
func FuzzOriginalSender(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "forwards", "*.eml"))
	for _, file := range files {
		m := parseForward(f, file)
		f.Add(m.Subject, m.Text)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		a, ok := OriginalSender(subject, text)
		if !ok {
			if a.Addr != "" {
				t.Errorf("OriginalSender = %+v, false; want no address when not ok", a)
			}
			return
		}
		if !strings.Contains(a.Addr, "@") || a.Addr != strings.ToLower(a.Addr) {
			t.Errorf("OriginalSender = %+v; want a lower-case address with an @", a)
		}
		if !strings.Contains(strings.ToLower(text), a.Addr) {
			t.Errorf("OriginalSender = %+v; address not in the text", a)
		}
	})
}

// BenchmarkOriginalSender runs the finder over the forwards corpus and,
// when present, the shared corpora's parsed texts.
func BenchmarkOriginalSender(b *testing.B) {
	var inputs []fwdInput
	files, _ := filepath.Glob(filepath.Join("testdata", "forwards", "*.eml"))
	for _, file := range files {
		m := parseForward(b, file)
		inputs = append(inputs, fwdInput{m.Subject, m.Text})
	}
	b.Run("forwards", func(b *testing.B) {
		benchOriginal(b, inputs)
	})
	b.Run("corpora", func(b *testing.B) {
		dir := corporaDir(b)
		var all []fwdInput
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || len(all) >= 5000 {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			if m, err := Parse(strings.NewReader(string(raw)), Options{}); err == nil {
				all = append(all, fwdInput{m.Subject, m.Text})
			}
			return nil
		})
		benchOriginal(b, all)
	})
}

// fwdInput is what OriginalSender reads of one message.
type fwdInput struct{ subject, text string }

func benchOriginal(b *testing.B, inputs []fwdInput) {
	if len(inputs) == 0 {
		b.Skip("no inputs")
	}
	var n int64
	for _, in := range inputs {
		n += int64(len(in.text))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			OriginalSender(in.subject, in.text)
		}
	}
}
