package mail

import (
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		clean          bool
	}{
		{"plain", "aGVsbG8gd29ybGQ=", "hello world", true},
		{"wrapped and indented", "aGVsbG8g\n  d29y\r\nbGQ=", "hello world", true},
		{"missing padding", "aGVsbG8gd29ybGQ", "hello world", true},
		{"concatenated", "aGk=aGk=", "hihi", true},
		{"junk kept out", "aGVs*bG8=", "hello", false},
		{"truncated group", "aGVsbG8gd", "hello ", false},
	}
	for _, tt := range tests {
		got, clean := decodeBase64([]byte(tt.in))
		if string(got) != tt.want || clean != tt.clean {
			t.Errorf("decodeBase64(%q) = %q, %v; want %q, %v", tt.in, got, clean, tt.want, tt.clean)
		}
	}
}

func TestDecodeQP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		clean          bool
	}{
		{"escapes", "caf=C3=A9 =3D ok", "café = ok", true},
		{"lower-case hex", "caf=c3=a9", "café", true},
		{"soft break", "long=\nline", "longline", true},
		{"soft break with trailing space", "long= \t\nline", "longline", true},
		{"trailing whitespace dropped", "a  \nb", "a\nb", true},
		{"bad escape kept", "50=% off", "50=% off", false},
		{"eight-bit passes", "caf\xe9", "caf\xe9", true},
		{"equals at end", "end=", "end", true},
	}
	for _, tt := range tests {
		got, clean := decodeQP([]byte(tt.in))
		if string(got) != tt.want || clean != tt.clean {
			t.Errorf("decodeQP(%q) = %q, %v; want %q, %v", tt.in, got, clean, tt.want, tt.clean)
		}
	}
}

func TestDecodeCharset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		label, in, want string
		warned          bool
	}{
		{"utf-8", "café", "café", false},
		{"", "plain ascii", "plain ascii", false},
		{"", "caf\xe9", "café", true},
		{"us-ascii", "\x93quoted\x94", "“quoted”", true},
		{"UTF-8", "bad \xff\xfe and é", "bad \ufffd and é", true},
		{"utf-8", "only latin \xe9", "only latin é", true},
		{"iso-8859-1", "caf\xe9", "café", false},
		{"windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет", false},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет", false},
		{"shift_jis", "\x93\xfa\x96\x7b", "日本", false},
		{"euc-kr", "\xc7\xd1\xb1\xb9", "한국", false},
		{"big5", "\xa4\xa4\xa4\xe5", "中文", false},
		{"gb2312", "\xd6\xd0\xce\xc4", "中文", false},
		{`"ISO-2022-JP"`, "\x1b$BF|K\\\x1b(B", "日本", false},
		{"uft-8", "typo é", "typo é", true},
		{"iso-2022-jp", "already UTF-8 日本", "already UTF-8 日本", true},
		{"utf-7", "already UTF-8 é", "already UTF-8 é", true},
		{"x-unknown", "caf\xe9", "café", true},
		{"utf-7", "Hi Mom -+Jjo--!", "Hi Mom -☺-!", false},
		{"unicode-1-1-utf-7", "A+ImIDkQ.", "A≢Α.", false},
	}
	for _, tt := range tests {
		var warnings []string
		got := decodeCharset(tt.label, []byte(tt.in), func(w string) { warnings = append(warnings, w) })
		if got != tt.want || (len(warnings) > 0) != tt.warned {
			t.Errorf("decodeCharset(%q, %q) = %q, warnings %q; want %q, warned %v", tt.label, tt.in, got, warnings, tt.want, tt.warned)
		}
	}
}

func TestDecodeUTF7(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		clean    bool
	}{
		{"1 +- 1 = 2", "1 + 1 = 2", true},
		{"+ZeVnLIqe-", "日本語", true},
		{"+2D3eAA-", "\U0001F600", true},
		{"lone + sign", "lone + sign", true},
		{"+AGE", "a", true},
		{"+AGF", "a", false},
		{"8bit \xff", "8bit \ufffd", false},
	}
	for _, tt := range tests {
		got, clean := decodeUTF7([]byte(tt.in))
		if got != tt.want || clean != tt.clean {
			t.Errorf("decodeUTF7(%q) = %q, %v; want %q, %v", tt.in, got, clean, tt.want, tt.clean)
		}
	}
}

func TestUnflow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"one \ntwo\nthree", false, "one two\nthree"},
		{"one \ntwo", true, "onetwo"},
		{"> quoted \n> more\nnew", false, "> quoted more\nnew"},
		{"> Hi \nHello", false, "> Hi \nHello"},
		{"-- \nsig", false, "-- \nsig"},
		{" >stuffed", false, ">stuffed"},
	}
	for _, tt := range tests {
		if got := unflow(tt.in, tt.delsp); got != tt.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tt.in, tt.delsp, got, tt.want)
		}
	}
}

func TestMediaType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		wantType string
		want     map[string]string
	}{
		{`text/plain; charset="utf-8"`, "text/plain", map[string]string{"charset": "utf-8"}},
		{`TEXT/HTML; CHARSET=ISO-8859-1`, "text/html", map[string]string{"charset": "ISO-8859-1"}},
		{`multipart/mixed; boundary=abc; boundary=def`, "multipart/mixed", map[string]string{"boundary": "abc"}},
		{`attachment; filename=my file.pdf`, "attachment", map[string]string{"filename": "my file.pdf"}},
		{`attachment; filename*=iso-8859-1''caf%E9.txt`, "attachment", map[string]string{"filename": "café.txt"}},
		{`attachment; filename*0="long"; filename*1="name.txt"; x=(y)`, "attachment", map[string]string{"filename": "longname.txt", "x": "(y)"}},
		{`text/plain;; charset=us-ascii;`, "text/plain", map[string]string{"charset": "us-ascii"}},
	}
	for _, tt := range tests {
		gotType, got := mediaType(tt.in)
		if gotType != tt.wantType || len(got) != len(tt.want) {
			t.Errorf("mediaType(%q) = %q, %v; want %q, %v", tt.in, gotType, got, tt.wantType, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("mediaType(%q)[%q] = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

func TestSplitMultipart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
		closed     bool
	}{
		{"normal", "pre\n--b\nA\n--b\nB\n--b--\nepilogue", []string{"A", "B"}, true},
		{"trailing space on delimiter", "--b  \nA\n--b-- \n", []string{"A"}, true},
		{"longer boundary is not a delimiter", "--b\nA\n--bb\nstill A\n--b--", []string{"A\n--bb\nstill A"}, true},
		{"unclosed", "--b\nA\n--b\nB is cut", []string{"A", "B is cut"}, false},
		{"empty part", "--b\n--b\nB\n--b--", []string{"", "B"}, true},
		{"no delimiter", "just text", nil, false},
		{"delimiter at end", "--b\nA\n--b", []string{"A", ""}, false},
	}
	for _, tt := range tests {
		parts, closed := splitMultipart([]byte(tt.body), "b")
		var got []string
		for _, p := range parts {
			got = append(got, string(p))
		}
		if closed != tt.closed || len(got) != len(tt.want) {
			t.Errorf("splitMultipart(%q) = %q, %v; want %q, %v", tt.body, got, closed, tt.want, tt.closed)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("splitMultipart(%q) part %d = %q, want %q", tt.body, i, got[i], tt.want[i])
			}
		}
	}
}
