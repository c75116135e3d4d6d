package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/smtp/smtptest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
)

// kill -9 between commit and send sends the acknowledgement exactly once:
// the complaint's ingest commits the case and its email job; the process
// dies with the job in flight, before the relay has the message ("before
// the send"); the next run sends it, once, with the Message-ID derived from
// the job's cause, and records one email_sent.
//
// "after the send" is the accepted gap the customer email worker documents:
// the relay has the whole message but the process dies before its answer
// is read and email_sent is committed. SMTP cannot be asked what it
// delivered, so the next run sends the email again; it must be the same
// email, with the same Message-ID, which lets the customer's mail system
// fold the copies into one, and the timeline records it once.
func TestKillEmailBetweenCommitAndSend(t *testing.T) {
	t.Parallel()

	t.Run("before the send", func(t *testing.T) {
		t.Parallel()
		r := newEmailCrashRig(t)
		// The first run's relay takes the connection and never greets:
		// the send is in flight and nothing can reach a relay.
		stalled := stallingListener(t)
		r.writeConfig(stalled.Addr().String())

		first := r.start()
		caseID := r.ownerCase()
		select {
		case <-stalled.dialled:
		case <-time.After(20 * time.Second):
			r.fatalf("the acknowledgement's job never connected to the relay")
		}
		first.kill()
		if sent := r.emailsSent(caseID); len(sent) != 0 {
			r.fatalf("email_sent %q on case %d before any relay had the email", sent, caseID)
		}

		r.writeConfig(r.relay.Addr())
		second := r.start()
		second.waitLog(45*time.Second, `msg="customer email sent"`)
		second.stop()

		got := r.relay.Messages()
		if len(got) != 1 {
			r.fatalf("relay accepted %d emails, want exactly 1", len(got))
		}
		id := r.checkAcknowledgement(caseID, got[0])
		if sent := r.emailsSent(caseID); len(sent) != 1 || sent[0] != id {
			r.fatalf("case %d email_sent events with Message-IDs %q, want exactly one, %q", caseID, sent, id)
		}
	})

	t.Run("after the send", func(t *testing.T) {
		t.Parallel()
		r := newEmailCrashRig(t)
		// The relay records the first email and holds its answer to DATA
		// until released: the process dies before it learns of delivery.
		held, release := holdFirstAnswer(t, r.relay)
		r.writeConfig(r.relay.Addr())

		first := r.start()
		caseID := r.ownerCase()
		select {
		case <-held:
		case <-time.After(20 * time.Second):
			r.fatalf("the acknowledgement never reached the relay")
		}
		first.kill()
		release()
		if sent := r.emailsSent(caseID); len(sent) != 0 {
			r.fatalf("email_sent %q on case %d, but the run died before the relay answered", sent, caseID)
		}

		second := r.start()
		second.waitLog(45*time.Second, `msg="customer email sent"`)
		second.stop()

		got := r.relay.Messages()
		if len(got) < 1 || len(got) > 2 {
			r.fatalf("relay accepted %d emails, want the acknowledgement once, or twice at most (the accepted gap)", len(got))
		}
		id := r.checkAcknowledgement(caseID, got[0])
		for i, m := range got[1:] {
			if again := r.checkAcknowledgement(caseID, m); again != id {
				r.fatalf("email %d to the relay has Message-ID %q, the first %q: a resend must be the same email", i+2, again, id)
			}
		}
		if sent := r.emailsSent(caseID); len(sent) != 1 || sent[0] != id {
			r.fatalf("case %d email_sent events with Message-IDs %q, want exactly one, %q", caseID, sent, id)
		}
	})
}

// emailCrashRig is a crashRig whose gateway also emails customers through
// relay, a plain SMTP server on loopback.
type emailCrashRig struct {
	*crashRig
	relay *smtptest.Server
}

func newEmailCrashRig(t *testing.T) *emailCrashRig {
	t.Helper()
	relay, err := smtptest.NewServer(smtptest.Options{})
	if err != nil {
		t.Fatalf("smtptest.NewServer() = %v", err)
	}
	t.Cleanup(func() { _ = relay.Close() })
	return &emailCrashRig{crashRig: newCrashRig(t), relay: relay}
}

// writeConfig writes the crash rig's configuration with smtp on, sending
// to smtpAddr in clear (allowed on loopback).
func (r *emailCrashRig) writeConfig(smtpAddr string) {
	r.t.Helper()
	r.crashRig.writeConfig(100 * time.Millisecond)
	f, err := os.OpenFile(r.cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	_, err = fmt.Fprintf(f, "smtp:\n  enabled: true\n  addr: %s\n  security: none\n  from: %q\n",
		smtpAddr, "Acme Support <support@example.com>")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.t.Fatal(err)
	}
}

// checkAcknowledgement checks that m is the acknowledgement of case
// caseID, to Jane and threaded to her complaint, and returns its
// Message-ID (without angle brackets).
func (r *emailCrashRig) checkAcknowledgement(caseID int64, m smtptest.Message) string {
	r.t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		r.fatalf("parse the relay's email: %v\n%s", err, m.Data)
	}
	id := strings.Trim(msg.Header.Get("Message-Id"), "<>")
	want := regexp.MustCompile(fmt.Sprintf(`^triage\.[a-z0-9]+\.case%d\.acknowledge\.m\d+@example\.com$`, caseID))
	if !want.MatchString(id) {
		r.fatalf("relay's email has Message-ID %q, want the acknowledgement's of case %d, derived from its cause", id, caseID)
	}
	if len(m.To) != 1 || m.To[0] != "jane@acme.example" || msg.Header.Get("In-Reply-To") != "<crash-1@example>" {
		r.fatalf("relay's email to %v, In-Reply-To %q; want to jane@acme.example, in reply to <crash-1@example>",
			m.To, msg.Header.Get("In-Reply-To"))
	}
	return id
}

// emailsSent reads the store of the stopped (or killed) gateway: the
// Message-IDs of caseID's email_sent events.
func (r *emailCrashRig) emailsSent(caseID int64) []string {
	r.t.Helper()
	cfg := config.Default()
	cfg.DataDir = r.dir
	st, err := gateway.OpenStore(r.t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		r.fatalf("OpenStore() = %v", err)
	}
	defer st.Close()
	events, err := st.CaseEventListKind(r.t.Context(), caseID, "email_sent")
	if err != nil {
		r.fatalf("CaseEventListKind(%d, email_sent) = %v", caseID, err)
	}
	var ids []string
	for _, e := range events {
		var d struct {
			Kind      string `json:"kind"`
			MessageID string `json:"message_id"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			r.fatalf("email_sent event %s: %v", e.Data, err)
		}
		if d.Kind != "acknowledge" {
			r.fatalf("email_sent event %s, want the acknowledgement's", e.Data)
		}
		ids = append(ids, d.MessageID)
	}
	return ids
}

// stalledListener accepts connections on loopback and never says a word,
// as a relay that hangs before its greeting; dialled receives each.
type stalledListener struct {
	net.Listener
	dialled chan net.Conn
}

func stallingListener(t *testing.T) *stalledListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stalledListener{Listener: ln, dialled: make(chan net.Conn, 8)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			select {
			case s.dialled <- c:
			default:
				c.Close()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		close(s.dialled)
		for c := range s.dialled {
			c.Close()
		}
	})
	return s
}

// holdFirstAnswer makes relay hold its answer to the first message's DATA,
// once the message is recorded, until release is called; held is closed
// when that message is in. release may be called more than once.
func holdFirstAnswer(t *testing.T, relay *smtptest.Server) (held <-chan struct{}, release func()) {
	t.Helper()
	in, out := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	relay.OnMessage(func(smtptest.Message) {
		if first.CompareAndSwap(false, true) {
			close(in)
			<-out
		}
	})
	var once sync.Once
	release = func() { once.Do(func() { close(out) }) }
	t.Cleanup(release)
	return in, release
}
