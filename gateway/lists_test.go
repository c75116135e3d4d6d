package gateway_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/routing"
)

// listMail is a complaint delivered the way a bulk sender's list delivers
// mail: Precedence: bulk, one-click unsubscription (RFC 8058) and a
// List-Id, which the mail parser classifies as list mail.
func listMail(date string) []byte {
	return fmt.Appendf(nil, "From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\n"+
		"Subject: Order #48213 - third time\r\nDate: %s\r\nMessage-ID: <list1@acme.example>\r\n"+
		"Precedence: bulk\r\nList-Id: Acme customers <customers.lists.acme.example>\r\n"+
		"List-Unsubscribe: <https://lists.acme.example/unsubscribe/u1>, <mailto:unsubscribe@lists.acme.example>\r\n"+
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", date, angry)
}

// bounceMail is a delivery failure report from a mail system.
func bounceMail(date string) []byte {
	return fmt.Appendf(nil, "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: support@example.com\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nDate: %s\r\nMessage-ID: <bounce1@mx.acme.example>\r\n"+
		"Auto-Submitted: auto-replied\r\nX-Failed-Recipients: nobody@acme.example\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nThis is the mail system. Your message could not be delivered: %s\r\n", date, angry)
}

// autoReplyMail is an out-of-office reply (RFC 3834).
func autoReplyMail(date string) []byte {
	return fmt.Appendf(nil, "From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\n"+
		"Subject: Out of office: Re: your order\r\nDate: %s\r\nMessage-ID: <ooo1@acme.example>\r\n"+
		"Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nI am out of the office until Monday. This is unacceptable!\r\n", date)
}

// imap.lists decides whether bulk list mail is ignored (the default) or
// scored and routed like a customer's mail; bounces and auto-replies are
// ignored either way, and the stored list mail keeps its kind.
func TestListMailSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lists    string
		listCase bool // whether the list mail opens a case
	}{
		{"", false},
		{config.ListsIgnore, false},
		{config.ListsCustomer, true},
	} {
		t.Run("lists="+tc.lists, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.cfg.IMAP.Lists = tc.lists
			if err := b.cfg.Validate(); err != nil {
				t.Fatalf("Validate() with imap.lists %q = %v", tc.lists, err)
			}
			date := time.Now().Format(time.RFC1123Z)
			mails := []struct {
				name string
				raw  []byte
				kind string
				open bool
			}{
				{"list mail", listMail(date), "list", tc.listCase},
				{"bounce", bounceMail(date), "bounce", false},
				{"auto-reply", autoReplyMail(date), "auto_reply", false},
			}
			for _, m := range mails {
				b.appendRaw(t, m.raw, time.Now())
			}
			_, stop := b.start(t)
			var got []gateway.IngestResult
			for range mails {
				got = append(got, b.next(t))
			}
			stop()

			st := openStore(t, b.cfg)
			for i, m := range mails {
				r := got[i]
				if r.Quarantined || r.Duplicate || r.MessageID == 0 {
					t.Fatalf("%s: quarantined %v (%s), duplicate %v, message %d; want stored", m.name, r.Quarantined, r.Reason, r.Duplicate, r.MessageID)
				}
				if r.Inbound.AutoKind != m.kind {
					t.Errorf("%s: AutoKind %q, want %q", m.name, r.Inbound.AutoKind, m.kind)
				}
				ignored := r.Plan.Action == routing.ActionIgnore
				if m.open && (ignored || r.CaseID == 0) {
					t.Errorf("%s with imap.lists %q: action %s, case %d (%s); want a case", m.name, tc.lists, r.Plan.Action, r.CaseID, r.Plan.Reason)
				}
				if !m.open && (!ignored || r.CaseID != 0) {
					t.Errorf("%s with imap.lists %q: action %s, case %d; want ignored, no case", m.name, tc.lists, r.Plan.Action, r.CaseID)
				}
				msg, err := st.MessageGetByID(t.Context(), r.MessageID)
				if err != nil || msg.AutoKind != m.kind {
					t.Errorf("%s: stored AutoKind %q, %v; want %q", m.name, msg.AutoKind, err, m.kind)
				}
			}
		})
	}
}
