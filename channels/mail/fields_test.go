package mail

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAddressList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Address
	}{
		{"Ann <Ann@Example.com>", []Address{{"Ann", "ann@example.com"}}},
		{`"Lee, Ann" <ann@x.example>, bob@y.example`, []Address{{"Lee, Ann", "ann@x.example"}, {"", "bob@y.example"}}},
		{"=?utf-8?q?Jos=C3=A9?= <jose@x.example>", []Address{{"José", "jose@x.example"}}},
		{`"=?iso-8859-1?q?Ren=E9?=" <rene@x.example>`, []Address{{"René", "rene@x.example"}}},
		{"John Q. Public <jqp@x.example>", []Address{{"John Q. Public", "jqp@x.example"}}},
		{"jqp@x.example (John Public)", []Address{{"John Public", "jqp@x.example"}}},
		{"MAILER-DAEMON", []Address{{"", "mailer-daemon"}}},
		{"MAILER-DAEMON <>", []Address{{"MAILER-DAEMON", ""}}},
		{"undisclosed-recipients:;", nil},
		{"team: a@x.example, b@x.example;", []Address{{"", "a@x.example"}, {"", "b@x.example"}}},
		{"<mailto:c@x.example>", []Address{{"", "c@x.example"}}},
		{"", nil},
	}
	for _, tt := range tests {
		p := &parser{seen: map[string]bool{}}
		got := p.addressList("To", tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("addressList(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 3, 3, 9, 14, 58, 0, time.FixedZone("", 0))
	tests := []string{
		"Mon, 3 Mar 2025 09:14:58 +0000",
		"Mon, 03 Mar 2025 09:14:58 +0000 (UTC)",
		"3 Mar 2025 09:14:58 +0000",
		"Mon, 3 Mar 2025 09:14:58 GMT",
		"Mon,3 Mar 2025 09:14:58 +0000",
		"Mon, 3 Mar 25 09:14:58 +0000",
		"Mon Mar  3 09:14:58 2025",
		"2025-03-03T09:14:58Z",
	}
	for _, in := range tests {
		got, ok := parseDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v, true", in, got, ok, want)
		}
	}
	for _, in := range []string{"yesterday", "", "Pn, 29 paX 2007 21:13:00 +0100"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v, true; want false", in, got)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"<a@b>", []string{"a@b"}},
		{"<a@b> <c@d>\n <e@f>", []string{"a@b", "c@d", "e@f"}},
		{"<a@b>,<c@d>", []string{"a@b", "c@d"}},
		{"a@b", []string{"a@b"}},
		{"Your message of Mon, 3 Mar", nil},
		{"<a @b>", []string{"a@b"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := msgIDs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("msgIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSubjectDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, body, want string
	}{
		{"encoded words joined", "Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_au_lait?=", "", "Café au lait"},
		{"folded", "Subject: first part\n second part", "", "first part second part"},
		{"raw utf-8", "Subject: Größe", "", "Größe"},
		{"raw latin-1", "Subject: Gr\xf6\xdfe", "", "Größe"},
		{"raw in body charset", "Subject: \xcf\xf0\xe8\xe2\xe5\xf2\nContent-Type: text/plain; charset=windows-1251", "", "Привет"},
		{"raw iso-2022-jp", "Subject: \x1b$BF|K\\\x1b(B", "", "日本"},
		{"unknown word charset", "Subject: =?x-bogus?q?caf=E9?=", "", "café"},
		{"malformed word kept", "Subject: =?utf-8?q?broken", "", "=?utf-8?q?broken"},
		{"nul removed", "Subject: a\x00b", "", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := "From: a@example.com\n" + tt.header + "\n\nbody\n"
			m, err := Parse(strings.NewReader(input), Options{})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", input, err)
			}
			if m.Subject != tt.want {
				t.Errorf("Parse(%q).Subject = %q, want %q", input, m.Subject, tt.want)
			}
		})
	}
}
