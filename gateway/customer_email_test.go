package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/smtp/smtptest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// The two customer emails the policy allows (P1), sent through a real
// relay: the in-process SMTP server, over STARTTLS with authentication.

const (
	relayUser     = "triage"
	relayPassword = "relay-pw"
	emailFrom     = "Acme Support <support@example.com>"
)

// resolutionWords must never appear in what the gateway writes to a
// customer (P1: no refund promise, credit, excuse or technical answer).
var resolutionWords = []string{"refund", "credit", "discount", "compensat", "replace", "we will fix", "sorry"}

// mailWorld is a bundle whose gateway sends customer email to relay.
type mailWorld struct {
	*bundle
	relay *smtptest.Server
}

// mailSetup is setup with SMTP enabled, pointing at a recording relay.
func mailSetup(t *testing.T) *mailWorld {
	t.Helper()
	b := setup(t)
	relay, err := smtptest.NewServer(smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	if err != nil {
		t.Fatalf("smtptest.NewServer() = %v", err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	b.cfg.SMTP = config.SMTP{Enabled: true, Addr: relay.Addr(), Username: relayUser, Password: config.NewSecret(relayPassword),
		Security: "starttls", From: emailFrom}
	if err := b.cfg.Validate(); err != nil {
		t.Fatalf("config.Validate() = %v", err)
	}
	return &mailWorld{bundle: b, relay: relay}
}

// start is bundle.start with the relay's certificate trusted.
func (w *mailWorld) start(t *testing.T) (*gateway.Gateway, func()) {
	t.Helper()
	w.smtp = smtp.Config{TLSConfig: w.relay.ClientTLSConfig(), HelloName: "triage.example.com"}
	return w.bundle.start(t)
}

// waitEmails waits until the relay has accepted n messages.
func (w *mailWorld) waitEmails(t *testing.T, n int) []smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	msgs, err := w.relay.Wait(ctx, n)
	if err != nil {
		t.Fatalf("relay.Wait(%d) = %v, with %d accepted and %d refused", n, err, len(msgs), len(w.relay.Refused()))
	}
	return msgs
}

// received is an email as the relay got it, decoded.
type received struct {
	envelopeTo []string
	header     mail.Header
	subject    string
	body       string
}

func decodeEmail(t *testing.T, m smtptest.Message) received {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("parse received email: %v\n%s", err, m.Data)
	}
	part, err := r.NextPart()
	if err != nil {
		t.Fatalf("read body of received email: %v\n%s", err, m.Data)
	}
	body, err := io.ReadAll(part.Body)
	if err != nil {
		t.Fatalf("decode body of received email: %v\n%s", err, m.Data)
	}
	subject, err := r.Header.Subject()
	if err != nil {
		t.Fatalf("decode subject: %v\n%s", err, m.Data)
	}
	return received{envelopeTo: m.To, header: r.Header, subject: subject, body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

// messageID is e's Message-ID, without angle brackets.
func messageID(t *testing.T, e received) string {
	t.Helper()
	id, err := e.header.MessageID()
	if err != nil || id == "" {
		t.Fatalf("Message-ID of %q = %q, %v; want one", e.subject, id, err)
	}
	return id
}

// emailEvent is the data of an email_* event.
type emailEvent struct {
	Kind      string `json:"kind"`
	To        string `json:"to"`
	MessageID string `json:"message_id"`
	Attempt   int    `json:"attempt"`
	Error     string `json:"error"`
}

// emailEvents are a case's email_* events in order, as "kind/what" with
// their data.
func emailEvents(t *testing.T, st store.Store, caseID int64) ([]string, []emailEvent) {
	t.Helper()
	events, err := st.CaseEventList(t.Context(), caseID)
	if err != nil {
		t.Fatalf("CaseEventList(%d) = %v", caseID, err)
	}
	var kinds []string
	var data []emailEvent
	for _, e := range events {
		if !strings.HasPrefix(e.Kind, "email_") {
			continue
		}
		var d emailEvent
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("event %d (%s) data %s: %v", e.ID, e.Kind, e.Data, err)
		}
		if e.Actor != "system" {
			t.Errorf("event %s by %s, want by the system", e.Kind, e.Actor)
		}
		kinds, data = append(kinds, e.Kind+"/"+d.Kind), append(data, d)
	}
	return kinds, data
}

// waitEvent waits for an event of kind on the case.
func waitEvent(t *testing.T, st store.Store, caseID int64, kind string) {
	t.Helper()
	waitFor(t, kind+" on case "+strconv.FormatInt(caseID, 10), func() bool {
		return slices.Contains(eventKinds(t, st, caseID), kind)
	})
}

// settleEmails waits until no customer email job is due or running.
func settleEmails(t *testing.T, st store.Store) {
	t.Helper()
	waitFor(t, "the customer email jobs to run", func() bool { return jobsDone(t, st, "customer_email") })
}

func checkNoResolution(t *testing.T, what string, e received) {
	t.Helper()
	text := strings.ToLower(e.subject + "\n" + e.body)
	text = strings.ReplaceAll(text, "order #48213 - third time", "") // the customer's own subject, quoted
	for _, w := range resolutionWords {
		if strings.Contains(text, w) {
			t.Errorf("%s says %q (P1 allows no resolution by email):\n%s\n%s", what, w, e.subject, e.body)
		}
	}
}

// A complaint by email is acknowledged once, by email, threaded to the
// customer's message: the case number, who will call and by when, the
// slot link and the support line. A follow-up on the open case and an
// auto-reply get nothing.
func TestCustomerEmailAcknowledgement(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testCustomerEmailAcknowledgement(t, mailSetup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		w := mailSetup(t)
		w.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testCustomerEmailAcknowledgement(t, w)
	})
}

func testCustomerEmailAcknowledgement(t *testing.T, w *mailWorld) {
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := w.start(t)
	r := w.next(t)
	if r.CaseID == 0 {
		t.Fatalf("ingest opened no case (plan %s: %s)", r.Plan.Action, r.Plan.Reason)
	}
	st := openStore(t, w.cfg)
	msgs := w.waitEmails(t, 1)
	waitEvent(t, st, r.CaseID, "email_sent")
	ack := decodeEmail(t, msgs[0])
	id := strconv.FormatInt(r.CaseID, 10)

	if msgs[0].From != "support@example.com" || !msgs[0].TLS || msgs[0].AuthUser != relayUser {
		t.Errorf("envelope from %q, TLS %v, auth %q; want support@example.com over TLS as %s", msgs[0].From, msgs[0].TLS, msgs[0].AuthUser, relayUser)
	}
	for key, want := range map[string]string{
		"To":             `"Jane Doe" <jane@acme.example>`,
		"From":           `"Acme Support" <support@example.com>`,
		"In-Reply-To":    "<m1@example>",
		"References":     "<m1@example>",
		"Auto-Submitted": "auto-replied",
	} {
		if got := ack.header.Get(key); got != want {
			t.Errorf("acknowledgement %s = %q, want %q", key, got, want)
		}
	}
	if !slices.Equal(ack.envelopeTo, []string{"jane@acme.example"}) || ack.subject != "Re: Order #48213 - third time" {
		t.Errorf("acknowledgement to %v, subject %q; want to jane@acme.example, Re: her subject", ack.envelopeTo, ack.subject)
	}
	for _, want := range []string{"Hello Jane Doe,", "your case number is " + id, "Tom will call you", "We aim to call by ",
		w.cfg.HTTP.PublicURL + "/slot/", "+16175550199", "Kind regards,\nTom\nAcme Support\n"} {
		if !strings.Contains(ack.body, want) {
			t.Errorf("acknowledgement body =\n%s\nwant it to contain %q", ack.body, want)
		}
	}
	checkNoResolution(t, "the acknowledgement", ack)

	kinds, data := emailEvents(t, st, r.CaseID)
	if want := []string{"email_queued/acknowledge", "email_sent/acknowledge"}; !slices.Equal(kinds, want) {
		t.Fatalf("email events %v, want %v", kinds, want)
	}
	msgID := messageID(t, ack)
	if sent := data[1]; sent.MessageID != msgID || sent.To != "jane@acme.example" || sent.Attempt != 1 {
		t.Errorf("email_sent %+v; want to jane@acme.example on attempt 1, with the email's Message-ID %q", sent, msgID)
	}
	if !strings.HasSuffix(msgID, "@example.com") || !strings.Contains(msgID, "case"+id+".") {
		t.Errorf("Message-ID %q, want our own, naming case %s, on the sender's domain", msgID, id)
	}

	// The link in the email opens the customer's slot page.
	link := ack.body[strings.Index(ack.body, w.cfg.HTTP.PublicURL+"/slot/"):]
	link = link[:strings.IndexByte(link, '\n')]
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("GET %s = %v", link, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want the slot page", link, resp.StatusCode)
	}

	// A follow-up on the open case, and an auto-reply, are not acknowledged.
	w.appendMail(t, "m2", "Jane Doe <jane@acme.example>", "Re: Order #48213 - third time", "Still nothing, call me please.")
	raw := "From: Bob Stone <bob@beta.example>\r\nTo: support@example.com\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <ooo@beta.example>\r\n\r\nI am away until Monday; the order is urgent.\r\n"
	if err := w.mailbox.Append(t.Context(), "INBOX", []byte(raw), time.Now()); err != nil {
		t.Fatalf("Append(auto-reply) = %v", err)
	}
	for range 2 {
		if r2 := w.next(t); r2.CaseID != 0 && r2.CaseID != r.CaseID {
			t.Errorf("message %s opened case %d (%s), want none or case %d", r2.Inbound.ExternalID, r2.CaseID, r2.Plan.Reason, r.CaseID)
		}
	}
	settleEmails(t, st)
	stop()
	if got := len(w.relay.Messages()); got != 1 {
		t.Errorf("relay got %d emails, want only the one acknowledgement", got)
	}
	if kinds, _ := emailEvents(t, st, r.CaseID); len(kinds) != 2 {
		t.Errorf("email events after the follow-up %v, want still the acknowledgement's two", kinds)
	}
}

// A call that reached voicemail is followed by the P1(b) email, threaded
// to the complaint; a second such call gets its own.
func TestCustomerEmailVoicemailLeft(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	g, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	waitSent := func(n int) {
		t.Helper()
		w.waitEmails(t, n)
		waitFor(t, fmt.Sprintf("%d email_sent events", n), func() bool {
			events, err := st.CaseEventListKind(t.Context(), r.CaseID, "email_sent")
			return err == nil && len(events) == n
		})
	}
	waitSent(1)
	tom, err := st.StaffGetByEmail(t.Context(), "tom@example.com")
	if err != nil {
		t.Fatalf("StaffGetByEmail(tom) = %v", err)
	}

	for n := 2; n <= 3; n++ {
		if reply, refused, err := g.Dashboard().RecordCall(t.Context(), tom.ID, r.CaseID, "voicemail", 0, ""); err != nil || refused {
			t.Fatalf("RecordCall(voicemail) = %q, refused %v, %v", reply, refused, err)
		}
		waitSent(n)
	}
	settleEmails(t, st)
	stop()

	msgs := w.relay.Messages()
	if len(msgs) != 3 {
		t.Fatalf("relay got %d emails, want the acknowledgement and two voicemail notes", len(msgs))
	}
	ackID := messageID(t, decodeEmail(t, msgs[0]))
	vm := decodeEmail(t, msgs[1])
	vmID := messageID(t, vm)
	secondID := messageID(t, decodeEmail(t, msgs[2]))
	if ackID == vmID || vmID == secondID || ackID == secondID {
		t.Errorf("Message-IDs %q, %q, %q; want one of its own for each email", ackID, vmID, secondID)
	}
	for key, want := range map[string]string{"In-Reply-To": "<m1@example>", "Auto-Submitted": "auto-generated"} {
		if got := vm.header.Get(key); got != want {
			t.Errorf("voicemail note %s = %q, want %q", key, got, want)
		}
	}
	if !slices.Equal(vm.envelopeTo, []string{"jane@acme.example"}) || vm.subject != "Re: Order #48213 - third time" {
		t.Errorf("voicemail note to %v, subject %q; want to jane@acme.example, Re: her subject", vm.envelopeTo, vm.subject)
	}
	for _, want := range []string{"Tom tried to call you about your case " + strconv.FormatInt(r.CaseID, 10) + " and left you a voicemail",
		"call us back on +16175550199", w.cfg.HTTP.PublicURL + "/slot/", "we will try you again around "} {
		if !strings.Contains(vm.body, want) {
			t.Errorf("voicemail note body =\n%s\nwant it to contain %q", vm.body, want)
		}
	}
	checkNoResolution(t, "the voicemail note", vm)
	kinds, data := emailEvents(t, st, r.CaseID)
	want := []string{"email_queued/acknowledge", "email_sent/acknowledge", "email_queued/voicemail_left", "email_sent/voicemail_left",
		"email_queued/voicemail_left", "email_sent/voicemail_left"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("email events %v, want %v", kinds, want)
	}
	if data[3].MessageID != vmID || data[5].MessageID != secondID {
		t.Errorf("email_sent ids %q, %q; want the emails' %q, %q", data[3].MessageID, data[5].MessageID, vmID, secondID)
	}
}

// With SMTP off, each email the policy would send is on the timeline as
// not sent, with the reason.
func TestCustomerEmailSMTPOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)
	r := b.next(t)
	st := openStore(t, b.cfg)
	waitEvent(t, st, r.CaseID, "email_not_sent")
	stop()
	kinds, data := emailEvents(t, st, r.CaseID)
	if want := []string{"email_queued/acknowledge", "email_not_sent/acknowledge"}; !slices.Equal(kinds, want) {
		t.Fatalf("email events %v, want %v", kinds, want)
	}
	if data[0].To != "jane@acme.example" || data[1].Error != "smtp is not enabled" {
		t.Errorf("email events %+v; want queued to jane@acme.example, not sent because smtp is not enabled", data)
	}
}

// A relay that refuses for good (550) fails the email once: email_failed,
// the job cancelled, no second attempt.
func TestCustomerEmailRefusedForGood(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.relay.RefuseNext(1, 550)
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	waitEvent(t, st, r.CaseID, "email_failed")
	settleEmails(t, st)
	stop()
	if refused, accepted := len(w.relay.Refused()), len(w.relay.Messages()); refused != 1 || accepted != 0 {
		t.Errorf("relay refused %d and accepted %d emails; want one refused, no retry", refused, accepted)
	}
	kinds, data := emailEvents(t, st, r.CaseID)
	if want := []string{"email_queued/acknowledge", "email_failed/acknowledge"}; !slices.Equal(kinds, want) {
		t.Fatalf("email events %v, want %v", kinds, want)
	}
	if !strings.Contains(data[1].Error, "550") || data[1].To != "jane@acme.example" {
		t.Errorf("email_failed %+v, want the relay's 550 and the recipient", data[1])
	}
	if n := lcCount(t, st, `SELECT count(*) FROM river_job WHERE kind = 'customer_email' AND state = 'cancelled'`); n != 1 {
		t.Errorf("%d cancelled customer_email jobs, want 1", n)
	}
}

// A relay that says "try again later" (451) gets the same email again,
// and it is delivered once.
func TestCustomerEmailRetriedThenSentOnce(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.relay.RefuseNext(1, 451)
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	msgs := w.waitEmails(t, 1)
	waitEvent(t, st, r.CaseID, "email_sent")
	settleEmails(t, st)
	stop()

	refused := w.relay.Refused()
	if len(refused) != 1 || len(w.relay.Messages()) != 1 {
		t.Fatalf("relay refused %d and accepted %d emails; want one of each", len(refused), len(w.relay.Messages()))
	}
	firstID := messageID(t, decodeEmail(t, refused[0]))
	sentID := messageID(t, decodeEmail(t, msgs[0]))
	if firstID != sentID {
		t.Errorf("retry sent Message-ID %q, first attempt %q; want the same email again", sentID, firstID)
	}
	kinds, data := emailEvents(t, st, r.CaseID)
	if want := []string{"email_queued/acknowledge", "email_retry/acknowledge", "email_sent/acknowledge"}; !slices.Equal(kinds, want) {
		t.Fatalf("email events %v, want %v", kinds, want)
	}
	if !strings.Contains(data[1].Error, "451") || data[1].Attempt != 1 || data[2].Attempt != 2 || data[2].MessageID != sentID {
		t.Errorf("email events %+v; want a retry after the 451 on attempt 1, sent on attempt 2 as %q", data, sentID)
	}
}

// An acknowledgement held up by the relay is dropped once a call was
// attempted: it would ask when to call a customer already called.
func TestCustomerEmailAcknowledgementOvertakenByACall(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.relay.RefuseNext(100, 451)
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	g, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	waitEvent(t, st, r.CaseID, "email_retry")
	tom, err := st.StaffGetByEmail(t.Context(), "tom@example.com")
	if err != nil {
		t.Fatalf("StaffGetByEmail(tom) = %v", err)
	}
	if reply, refused, err := g.Dashboard().RecordCall(t.Context(), tom.ID, r.CaseID, "connected", 5*time.Minute, ""); err != nil || refused {
		t.Fatalf("RecordCall(connected) = %q, refused %v, %v", reply, refused, err)
	}
	waitEvent(t, st, r.CaseID, "email_not_sent")
	settleEmails(t, st)
	stop()
	if n := len(w.relay.Messages()); n != 0 {
		t.Errorf("relay accepted %d emails, want none", n)
	}
	kinds, data := emailEvents(t, st, r.CaseID)
	last := data[len(data)-1]
	if kinds[len(kinds)-1] != "email_not_sent/acknowledge" || !strings.Contains(last.Error, "call was attempted") {
		t.Errorf("email events %v, last %+v; want the acknowledgement not sent because a call was attempted", kinds, last)
	}
}

// An email queued while the gateway was down goes out once it is back;
// the same job run again (its River row lost) finds the email on the
// timeline and does not send it twice.
func TestCustomerEmailNotSentTwice(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.cfg.IMAP.Enabled = false
	g, err := gateway.Open(t.Context(), w.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("gateway.Open() = %v", err)
	}
	raw := "From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\nSubject: Order #48213 - third time\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <m1@mail.acme.example>\r\nReferences: <older@mail.acme.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + angry + "\r\n"
	r, err := g.IngestEmail(t.Context(), []byte(raw), "test")
	if err != nil || r.CaseID == 0 {
		t.Fatalf("IngestEmail() = case %d, %v; want a case", r.CaseID, err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if got := len(w.relay.Messages()); got != 0 {
		t.Fatalf("relay got %d emails before the gateway ran, want 0", got)
	}

	_, stop := w.start(t)
	st := openStore(t, w.cfg)
	msgs := w.waitEmails(t, 1)
	waitEvent(t, st, r.CaseID, "email_sent")
	settleEmails(t, st)
	ack := decodeEmail(t, msgs[0])
	if got, want := ack.header.Get("References"), "<older@mail.acme.example> <m1@mail.acme.example>"; got != want {
		t.Errorf("References = %q, want the customer's thread and their message, %q", got, want)
	}

	lcExec(t, st, `DELETE FROM river_job WHERE kind = 'customer_email'`)
	if err := st.JobInsert(t.Context(), river.InsertManyParams{Args: gateway.CustomerEmailArgs{
		CaseID: r.CaseID, MessageID: r.MessageID, What: "acknowledge"}}); err != nil {
		t.Fatalf("JobInsert(acknowledge again) = %v", err)
	}
	waitFor(t, "the repeated job to complete", func() bool {
		return lcCount(t, st, `SELECT count(*) FROM river_job WHERE kind = 'customer_email' AND state = 'completed'`) == 1
	})
	stop()
	if got := len(w.relay.Messages()); got != 1 {
		t.Errorf("relay got %d emails, want 1: the repeated job must find the email sent", got)
	}
	if kinds, _ := emailEvents(t, st, r.CaseID); fmt.Sprint(kinds) != "[email_queued/acknowledge email_sent/acknowledge]" {
		t.Errorf("email events %v, want one queued and one sent", kinds)
	}
}
