package gateway_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A complaint over the size limit, fetched only in part and cut in the
// middle of its attachment, still opens a case, and its text says that it
// was cut; the message after it arrives as usual.
func TestOversizedMailOpensFlaggedCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.maxMessageSize = 2000
	const complaint = "My order #4821 arrived broken and nobody answers. The photos are attached."
	raw := fmt.Sprintf("From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\nSubject: Broken order\r\n"+
		"Date: %s\r\nMessage-ID: <big@example>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"+
		"--b1\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s"+
		"--b1--\r\n",
		time.Now().Format(time.RFC1123Z), complaint, strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw\r\n", 200))
	if err := b.mailbox.Append(t.Context(), "INBOX", []byte(raw), time.Now()); err != nil {
		t.Fatalf("Append(big) = %v", err)
	}
	b.appendMail(t, "small", "Jane Doe <jane@acme.example>", "One more thing", "And the invoice is wrong too.")
	_, stop := b.start(t)
	r := b.next(t)
	next := b.next(t)
	stop()

	note := fmt.Sprintf("of %d bytes fetched]", len(raw))
	if r.Quarantined || r.CaseID == 0 {
		t.Fatalf("oversized mail: quarantined %v (%q), case %d; want a case", r.Quarantined, r.Reason, r.CaseID)
	}
	if !strings.Contains(r.Inbound.Text, complaint) || !strings.Contains(r.Inbound.Text, "[message truncated: ") || !strings.HasSuffix(r.Inbound.Text, note) {
		t.Errorf("oversized mail text = %q, want the complaint and a last line ending %q", r.Inbound.Text, note)
	}
	st := openStore(t, b.cfg)
	m, err := st.MessageGetByID(t.Context(), r.MessageID)
	if err != nil {
		t.Fatalf("MessageGetByID(%d) = %v", r.MessageID, err)
	}
	if !strings.Contains(m.Body, "[message truncated: ") || m.CaseID != r.CaseID {
		t.Errorf("stored message = {Body %q, CaseID %d}, want the truncation note, case %d", m.Body, m.CaseID, r.CaseID)
	}
	if next.Quarantined || next.CaseID == 0 || strings.Contains(next.Inbound.Text, "truncated") || !strings.Contains(next.Inbound.Text, "invoice is wrong") {
		t.Errorf("message after the oversized one: quarantined %v, case %d, text %q; want a case with its whole text",
			next.Quarantined, next.CaseID, next.Inbound.Text)
	}
}
