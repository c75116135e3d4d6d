package mail

import (
	"strings"
	"testing"
)

func TestAutoDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header string
		want         AutoKind
		reason       string
	}{
		{"person", "From: ann@example.com\nSubject: My order is late", AutoNone, ""},
		{"auto-submitted", "From: ann@example.com\nAuto-Submitted: auto-replied\nSubject: Away", AutoReply, "Auto-Submitted: auto-replied"},
		{"auto-submitted no", "From: ann@example.com\nAuto-Submitted: no\nSubject: hi", AutoNone, ""},
		{"x-autoreply", "From: ann@example.com\nX-Autoreply: yes\nSubject: hi", AutoReply, "X-Autoreply: yes"},
		{"x-autorespond", "From: ann@example.com\nX-Autorespond: on\nSubject: hi", AutoReply, "X-Autorespond: on"},
		{"precedence auto_reply", "From: ann@example.com\nPrecedence: auto_reply\nSubject: hi", AutoReply, "Precedence: auto_reply"},
		{"out of office subject", "From: ann@example.com\nSubject: Out of Office: Re: ticket", AutoReply, "Subject: Out of Office: Re: ticket"},
		{"automatic reply subject", "From: ann@example.com\nSubject: Automatic reply: ticket", AutoReply, "Subject: Automatic reply: ticket"},
		{"auto: subject", "From: ann@example.com\nSubject: Auto: ticket", AutoReply, "Subject: Auto: ticket"},
		{"vacation subject", "From: ann@example.com\nSubject: Vacation reply: ticket", AutoReply, "Subject: Vacation reply: ticket"},
		{"vacation in a person's subject", "From: ann@example.com\nSubject: Refund for my vacation booking", AutoNone, ""},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.example.com\nSubject: hi", AutoBounce, "From: mailer-daemon@mx.example.com"},
		{"postmaster", "From: Postmaster <postmaster@example.com>\nSubject: hi", AutoBounce, "From: postmaster@example.com"},
		{"mail delivery subsystem name", "From: Mail Delivery Subsystem <root@example.com>\nSubject: hi", AutoBounce, "From: Mail Delivery Subsystem"},
		{"dsn subject", "From: x@example.com\nSubject: Delivery Status Notification (Failure)", AutoBounce, "Subject: Delivery Status Notification (Failure)"},
		{"postfix subject", "From: x@example.com\nSubject: Undelivered Mail Returned to Sender", AutoBounce, "Subject: Undelivered Mail Returned to Sender"},
		{"exim subject", "From: x@example.com\nSubject: Mail delivery failed: returning message to sender", AutoBounce, "Subject: Mail delivery failed: returning message to sender"},
		{"exchange subject", "From: x@example.com\nSubject: Undeliverable: Re: invoice", AutoBounce, "Subject: Undeliverable: Re: invoice"},
		{"customer delivery subject", "From: x@example.com\nSubject: Delivery failed again, where is my sofa?", AutoNone, ""},
		{"customer undelivered subject", "From: x@example.com\nSubject: Undelivered parcel", AutoNone, ""},
		{"weak subject from machine", "From: x@example.com\nReturn-Path: <>\nSubject: Delivery failed", AutoBounce, "Subject: Delivery failed"},
		{"x-failed-recipients", "From: x@example.com\nX-Failed-Recipients: a@b.example\nSubject: hi", AutoBounce, "X-Failed-Recipients: a@b.example"},
		{"list-id", "From: x@example.com\nList-Id: <users.example.com>\nSubject: hi", AutoList, "List-Id: <users.example.com>"},
		{"list-unsubscribe", "From: x@example.com\nList-Unsubscribe: <mailto:u@example.com>\nSubject: hi", AutoList, "List-Unsubscribe: <mailto:u@example.com>"},
		{"precedence bulk", "From: x@example.com\nPrecedence: bulk\nSubject: hi", AutoList, "Precedence: bulk"},
		{"bounce beats auto-reply", "From: MAILER-DAEMON@x.example\nAuto-Submitted: auto-replied\nSubject: hi", AutoBounce, "From: mailer-daemon@x.example"},
		{"auto-reply beats list", "From: x@example.com\nAuto-Submitted: auto-replied\nList-Id: <l.example>\nSubject: hi", AutoReply, "Auto-Submitted: auto-replied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := tt.header + "\n\nbody\n"
			m, err := Parse(strings.NewReader(input), Options{})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", input, err)
			}
			if m.Auto != tt.want || m.AutoReason != tt.reason {
				t.Errorf("Parse(%q) Auto, AutoReason = %q, %q; want %q, %q", input, m.Auto, m.AutoReason, tt.want, tt.reason)
			}
		})
	}
}

func TestBounceStructure(t *testing.T) {
	t.Parallel()
	input := "From: reports@example.com\nSubject: report\nContent-Type: multipart/mixed; boundary=x\n\n" +
		"--x\nContent-Type: text/plain\n\nSee status.\n" +
		"--x\nContent-Type: message/delivery-status\n\nAction: failed\n" +
		"--x--\n"
	m, err := Parse(strings.NewReader(input), Options{})
	if err != nil {
		t.Fatalf("Parse(%q) error = %v", input, err)
	}
	if m.Auto != AutoBounce || m.AutoReason != "message/delivery-status part" {
		t.Errorf("Parse(%q) Auto, AutoReason = %q, %q; want bounce, message/delivery-status part", input, m.Auto, m.AutoReason)
	}
	if m.Text != "See status." {
		t.Errorf("Parse(%q).Text = %q, want %q", input, m.Text, "See status.")
	}

	// A bounce forwarded by a person is a forward, not a bounce.
	fwd := "From: ann@example.com\nSubject: Fwd: bounce\nContent-Type: multipart/mixed; boundary=o\n\n" +
		"--o\nContent-Type: text/plain\n\nWhy did this bounce?\n" +
		"--o\nContent-Type: message/rfc822\n\n" + strings.ReplaceAll(input, "From: reports@", "From: mailer-daemon@") +
		"--o--\n"
	m, err = Parse(strings.NewReader(fwd), Options{})
	if err != nil {
		t.Fatalf("Parse(%q) error = %v", fwd, err)
	}
	if m.Auto != AutoNone || !m.Forwarded {
		t.Errorf("Parse(forwarded bounce) Auto, Forwarded = %q, %v; want \"\", true", m.Auto, m.Forwarded)
	}
}
