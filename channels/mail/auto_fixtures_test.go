package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutoFixtures parses the hand-written messages in testdata/auto:
// complaints whose subjects look automatic (human-*) must stay a person's
// mail, and every kind of machine mail must be recognised for what it is.
func TestAutoFixtures(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		want   AutoKind
		reason string
	}{
		// People whose subjects look like a mail system's.
		"human-delivery-failure.eml": {AutoNone, ""},
		"human-undelivered.eml":      {AutoNone, ""},
		"human-returned-mail.eml":    {AutoNone, ""},
		"human-out-of-office.eml":    {AutoNone, ""},
		"human-dsn-subject.eml":      {AutoNone, ""},
		// A person's complaint delivered by a Google Group that is the
		// support address, and a person's post to a Mailman discussion list.
		"human-google-group.eml": {AutoNone, ""},
		"human-mailman-list.eml": {AutoNone, ""},

		"bounce-qmail.eml":               {AutoBounce, "From: mailer-daemon@mail.shop.example"},
		"bounce-exim.eml":                {AutoBounce, "X-Failed-Recipients: jo@closed.example"},
		"bounce-exchange-postmaster.eml": {AutoBounce, "From: postmaster@corp.example"},
		"bounce-relay-name.eml":          {AutoBounce, "From: Mail Delivery System + Subject: Undelivered Mail Returned to Sender"},
		"bounce-null-path.eml":           {AutoBounce, "Return-Path: <>"},
		"arf-abuse-report.eml":           {AutoBounce, "multipart/report; report-type=feedback-report"},

		"mdn-read-receipt.eml":          {AutoReply, "multipart/report; report-type=disposition-notification"},
		"reply-exchange-oof.eml":        {AutoReply, "Return-Path: <> + Subject: Out of Office: Your call-back"},
		"reply-gmail-vacation.eml":      {AutoReply, "Auto-Submitted: auto-replied"},
		"reply-icloud-vacation.eml":     {AutoReply, "X-Apple-Action: VACATION"},
		"reply-vacation-precedence.eml": {AutoReply, "Precedence: junk + Subject: away from my mail"},

		"list-newsletter.eml": {AutoList, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"},
		"list-digest.eml":     {AutoList, "List-Id: Acme partners <partners.lists.acme.test>"},
		"list-announce.eml":   {AutoList, "List-Post: NO"},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "auto", "*.eml"))
	if err != nil {
		t.Fatalf("Glob(testdata/auto) = %v", err)
	}
	if len(files) != len(tests) {
		t.Errorf("testdata/auto holds %d messages, the table %d: every fixture needs an expectation", len(files), len(tests))
	}
	for _, path := range files {
		name := filepath.Base(path)
		tt, ok := tests[name]
		if !ok {
			t.Errorf("%s: no expectation in the table", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read fixture: %v", err)
			}
			m, err := Parse(strings.NewReader(string(raw)), Options{})
			if err != nil {
				t.Fatalf("Parse(%s) error = %v", name, err)
			}
			if m.Auto != tt.want || m.AutoReason != tt.reason {
				t.Errorf("Parse(%s) Auto, AutoReason = %q, %q; want %q, %q", name, m.Auto, m.AutoReason, tt.want, tt.reason)
			}
			// The same message with CRLF line endings is judged alike.
			crlf := strings.ReplaceAll(string(raw), "\n", "\r\n")
			m2, err := Parse(strings.NewReader(crlf), Options{})
			if err != nil {
				t.Fatalf("Parse(%s with CRLF) error = %v", name, err)
			}
			if m2.Auto != m.Auto || m2.AutoReason != m.AutoReason {
				t.Errorf("Parse(%s with CRLF) Auto, AutoReason = %q, %q; want %q, %q", name, m2.Auto, m2.AutoReason, m.Auto, m.AutoReason)
			}
		})
	}
}
