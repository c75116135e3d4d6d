package mail

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseFixture parses testdata/name, failing the test on any error.
func parseFixture(t *testing.T, name string) *Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	m, err := Parse(f, Options{})
	if err != nil {
		t.Fatalf("Parse(%s) error = %v, want nil", name, err)
	}
	return m
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		panic(err)
	}
	return t
}

var support = []Address{{Addr: "support@acme.test"}}

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Message
	}{
		{"plain.eml", Message{
			MessageID:  "CAF=plain.0001@mail.example.com",
			From:       Address{Name: "Lee, Ann", Addr: "ann.lee@example.com"},
			ReplyTo:    []Address{{Name: "Ann Lee", Addr: "ann@home.example.net"}},
			To:         []Address{{Name: "Support", Addr: "support@acme.test"}, {Addr: "billing@acme.test"}},
			Cc:         []Address{{Name: "Tom Baker", Addr: "tom.baker@acme.test"}},
			Subject:    "Order 4471 arrived damaged",
			Date:       date("Mon, 03 Mar 2025 09:14:58 +0000"),
			InReplyTo:  "case-88@acme.test",
			References: []string{"case-87@acme.test", "case-88@acme.test"},
			Text:       plainText,
			NewText:    plainText,
		}},
		{"alternative.eml", Message{
			MessageID: "alt-1@example.org",
			From:      Address{Name: "Bob Stone", Addr: "bob@example.org"},
			To:        support,
			Subject:   "Wrong item delivered",
			Date:      date("Tue, 04 Mar 2025 14:02:11 +0100"),
			Text:      "I ordered a blue kettle and received a red toaster.",
			NewText:   "I ordered a blue kettle and received a red toaster.",
		}},
		{"html_only.eml", Message{
			MessageID: "html-1@example.net",
			From:      Address{Name: "Carla Diaz", Addr: "carla@example.net"},
			To:        support,
			Subject:   "Refund status",
			Date:      date("Wed, 05 Mar 2025 08:30:00 -0500"),
			Text:      htmlText,
			NewText:   htmlText,
		}},
		{"base64.eml", Message{
			MessageID: "b64-1@example.de",
			From:      Address{Name: "José Müller", Addr: "jose@example.de"},
			To:        support,
			Subject:   "Rechnung falsch – bitte prüfen",
			Date:      date("Thu, 06 Mar 2025 10:00:00 +0100"),
			Text:      "Die Rechnung über 120 € ist falsch.\nIch habe nur 100 € bestellt.",
			NewText:   "Die Rechnung über 120 € ist falsch.\nIch habe nur 100 € bestellt.",
		}},
		{"latin1.eml", Message{
			MessageID: "latin1-1@example.fr",
			From:      Address{Name: "Valérie Dupré", Addr: "valerie@example.fr"},
			To:        support,
			Subject:   "Facture erronée",
			Date:      date("Fri, 07 Mar 2025 16:45:00 +0100"),
			Text:      latin1Text,
			NewText:   latin1Text,
		}},
		{"iso2022jp.eml", Message{
			MessageID: "jp-1@example.jp",
			From:      Address{Name: "山田", Addr: "yamada@example.jp"},
			To:        support,
			Subject:   "注文の商品が届きません",
			Date:      date("Sat, 08 Mar 2025 09:00:00 +0900"),
			Text:      "お世話になっております。\n注文番号 9001 の商品がまだ届きません。\n至急ご連絡ください。",
			NewText:   "お世話になっております。\n注文番号 9001 の商品がまだ届きません。\n至急ご連絡ください。",
		}},
		{"unknown_charset.eml", Message{
			MessageID: "unk-1@example.com",
			From:      Address{Addr: "dave@example.com"},
			To:        support,
			Subject:   "Café order",
			Text:      "The café table I bought is wobbly.",
			NewText:   "The café table I bought is wobbly.",
			Warnings: []string{
				`raw 8-bit header decoded with the body charset "x-made-up"`,
				`unknown charset "x-made-up" decoded as Latin-1`,
				"no Date header",
			},
		}},
		{"reply_gmail.eml", Message{
			MessageID:  "CAgmail-2@mail.gmail.example",
			From:       Address{Name: "Erin Fox", Addr: "erin.fox@gmail.example"},
			To:         []Address{{Name: "Support", Addr: "support@acme.test"}},
			Subject:    "Re: Your call-back request",
			Date:       date("Mon, 10 Mar 2025 11:20:00 +0000"),
			InReplyTo:  "cb-1@acme.test",
			References: []string{"cb-1@acme.test"},
			Text:       "Nobody called me back. This is the third time I ask.\n\n" + gmailQuote,
			NewText:    "Nobody called me back. This is the third time I ask.",
			Quoted:     gmailQuote,
		}},
		{"reply_gmail_html.eml", Message{
			MessageID: "CAgmail-3@mail.gmail.example",
			From:      Address{Name: "Erin Fox", Addr: "erin.fox@gmail.example"},
			To:        []Address{{Name: "Support", Addr: "support@acme.test"}},
			Subject:   "Re: Your call-back request",
			Date:      date("Mon, 10 Mar 2025 11:20:00 +0000"),
			Text:      "Still waiting.\nErin\n\n" + gmailHTMLQuote,
			NewText:   "Still waiting.\nErin",
			Quoted:    gmailHTMLQuote,
		}},
		{"reply_outlook.eml", Message{
			MessageID: "DB7PR01MB0001@eurprd01.prod.outlook.example",
			From:      Address{Name: "Frank Hill", Addr: "frank.hill@corp.example"},
			To:        []Address{{Name: "support@acme.test", Addr: "support@acme.test"}},
			Subject:   "RE: Invoice 3310",
			Date:      date("Tue, 11 Mar 2025 08:05:31 +0000"),
			Text:      outlookNew + "\n\n" + outlookQuote,
			NewText:   outlookNew,
			Quoted:    outlookQuote,
		}},
		{"reply_apple.eml", Message{
			MessageID: "68001B29-APPLE@icloud.example",
			From:      Address{Name: "Grace Kim", Addr: "grace@icloud.example"},
			To:        support,
			Subject:   "Re: Service visit",
			Date:      date("Wed, 12 Mar 2025 19:22:20 +0100"),
			InReplyTo: "visit-7@acme.test",
			Text:      appleNew + "\n\n--\nGrace Kim\n+1 555 0199\n\n" + appleQuote,
			NewText:   appleNew,
			Quoted:    appleQuote,
			Signature: "Grace Kim\n+1 555 0199",
		}},
		{"interleaved.eml", Message{
			MessageID: "inline-1@example.com",
			From:      Address{Name: "Hal Ortiz", Addr: "hal@example.com"},
			To:        support,
			Subject:   "Re: Questions about your order",
			Date:      date("Thu, 13 Mar 2025 10:00:00 -0800"),
			Text:      interleavedText,
			NewText:   "The blender.\n\nNo, it was sealed.",
			Quoted: "On Wed, Mar 12, 2025 at 3:00 PM, Acme Support <support@acme.test> wrote:\n" +
				"> 1. Which item was missing?\n\n> 2. Was the outer box damaged?\n\n> Regards, Acme",
		}},
		{"forward_inline.eml", Message{
			MessageID:    "fwd-inline-1@acme.test",
			From:         Address{Name: "Ivy Ng", Addr: "ivy.ng@acme.test"},
			To:           []Address{{Addr: "escalations@acme.test"}},
			Subject:      "Fwd: Absolutely furious about my delivery",
			Date:         date("Fri, 14 Mar 2025 09:12:00 +0000"),
			Text:         "FYI, can someone call her?\n\n" + janeHeader + "\n\n" + janeBody,
			NewText:      "FYI, can someone call her?\n\n" + janeBody,
			Quoted:       janeHeader,
			Forwarded:    true,
			OriginalFrom: &Address{Name: "Jane Roe", Addr: "jane.roe@example.com"}, OriginalFromVia: OriginalFromForward,
		}},
		{"forward_outlook.eml", Message{
			MessageID:    "fw-outlook-1@acme.test",
			From:         Address{Name: "Leo Park", Addr: "leo.park@acme.test"},
			To:           []Address{{Addr: "escalations@acme.test"}},
			Subject:      "FW: Broken washing machine",
			Date:         date("Sat, 15 Mar 2025 10:00:00 +0000"),
			Text:         miaHeader + "\n\n" + miaBody,
			NewText:      miaBody,
			Quoted:       miaHeader,
			Forwarded:    true,
			OriginalFrom: &Address{Name: "Mia Cole", Addr: "mia@example.com"}, OriginalFromVia: OriginalFromForward,
		}},
		{"forward_rfc822.eml", Message{
			MessageID:    "fwd-att-1@acme.test",
			From:         Address{Name: "Ivy Ng", Addr: "ivy.ng@acme.test"},
			To:           []Address{{Addr: "escalations@acme.test"}},
			Subject:      "Fw: complaint from a customer",
			Date:         date("Fri, 14 Mar 2025 09:30:00 +0000"),
			Text:         "See attached.\n\n" + kenHeader + "\n\n" + kenBody,
			NewText:      "See attached.\n\n" + kenBody,
			Quoted:       kenHeader,
			Forwarded:    true,
			OriginalFrom: &Address{Name: "Ken Oak", Addr: "ken@example.com"}, OriginalFromVia: OriginalFromForward,
			Attachments: []Attachment{{Filename: "statement.png", ContentType: "image/png", Size: 70}},
		}},
		{"ooo.eml", Message{
			MessageID:  "ooo-1@example.com",
			From:       Address{Name: "Nora Wells", Addr: "nora@example.com"},
			To:         support,
			Subject:    "Out of Office: Re: Your ticket 5521",
			Date:       date("Sun, 16 Mar 2025 07:00:00 +0000"),
			Text:       "I am out of the office until 24 March with no access to e-mail.",
			NewText:    "I am out of the office until 24 March with no access to e-mail.",
			Auto:       AutoReply,
			AutoReason: "Auto-Submitted: auto-replied",
		}},
		{"dsn.eml", Message{
			MessageID:   "20250317120001.ABC123@mx.acme.test",
			From:        Address{Name: "Mail Delivery System", Addr: "mailer-daemon@mx.acme.test"},
			To:          support,
			Subject:     "Undelivered Mail Returned to Sender",
			Date:        date("Mon, 17 Mar 2025 12:00:01 +0000"),
			Text:        dsnText,
			NewText:     dsnText,
			Auto:        AutoBounce,
			AutoReason:  "multipart/report; report-type=delivery-status",
			Attachments: []Attachment{{ContentType: "text/rfc822-headers", Size: 71}},
		}},
		{"list.eml", Message{
			MessageID:  "digest-12@lists.acme.test",
			From:       Address{Name: "Acme Users", Addr: "users@lists.acme.test"},
			To:         []Address{{Addr: "users@lists.acme.test"}},
			Subject:    "[acme-users] Weekly digest",
			Date:       date("Tue, 18 Mar 2025 06:00:00 +0000"),
			Text:       "Three new threads this week.",
			NewText:    "Three new threads this week.",
			Auto:       AutoList,
			AutoReason: "List-Id: Acme users <users.lists.acme.test>",
		}},
		{"attachment.eml", Message{
			MessageID: "att-1@example.ru",
			From:      Address{Name: "Olga Petrova", Addr: "olga@example.ru"},
			To:        support,
			Subject:   "Receipt for the broken lamp",
			Date:      date("Wed, 19 Mar 2025 13:00:00 +0300"),
			Text:      "The receipt is attached. The lamp stopped working after two days.",
			NewText:   "The receipt is attached. The lamp stopped working after two days.",
			Attachments: []Attachment{
				{Filename: "чек lamp.pdf", ContentType: "application/pdf", Size: 286},
				{Filename: "notes.txt", ContentType: "text/plain", Size: 12},
			},
		}},
		{"truncated.eml", Message{
			MessageID:   "trunc-1@example.com",
			From:        Address{Name: "Paul Reyes", Addr: "paul@example.com"},
			To:          support,
			Subject:     "Photos of the damage",
			Date:        date("Thu, 20 Mar 2025 15:00:00 -0700"),
			Text:        "The fridge door is dented, photos attached.",
			NewText:     "The fridge door is dented, photos attached.",
			Attachments: []Attachment{{Filename: "door.jpg", ContentType: "image/jpeg", Size: 87}},
			Warnings: []string{
				"multipart/mixed not closed: message truncated or bad boundary",
				"malformed base64 body: kept what decoded",
			},
		}},
		{"no_boundary.eml", Message{
			MessageID: "nob-1@example.com",
			From:      Address{Name: "Quinn Adams", Addr: "quinn@example.com"},
			To:        support,
			Subject:   "Delivery never came",
			Date:      date("Fri, 21 Mar 2025 08:00:00 +0000"),
			Text:      "Where is my parcel?",
			NewText:   "Where is my parcel?",
			Warnings:  []string{`multipart/alternative without boundary: guessed "guess-me"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := parseFixture(t, tt.file)
			compareMessage(t, tt.file, got, &tt.want)
		})
	}
}

// compareMessage reports every field of got that differs from want.
func compareMessage(t *testing.T, input string, got, want *Message) {
	t.Helper()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			if !gt.Equal(w.(time.Time)) {
				t.Errorf("Parse(%s).%s = %v, want %v", input, name, g, w)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("Parse(%s).%s = %#v\nwant %#v", input, name, g, w)
		}
	}
}

func TestParseLineEndings(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"plain.eml", "reply_gmail.eml", "attachment.eml", "dsn.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("read fixture: %v", err)
		}
		want, err := Parse(strings.NewReader(string(raw)), Options{})
		if err != nil {
			t.Fatalf("Parse(%s) error = %v", name, err)
		}
		for ending, conv := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
			input := name + " with " + ending
			got, err := Parse(strings.NewReader(strings.ReplaceAll(string(raw), "\n", conv)), Options{})
			if err != nil {
				t.Errorf("Parse(%s) error = %v, want nil", input, err)
				continue
			}
			compareMessage(t, input, got, want)
		}
	}
}
