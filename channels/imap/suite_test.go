package imap_test

import (
	"bytes"
	"cmp"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/triage-gw/triage/channels/imap"
)

// runSuite runs the tests every IMAP server must pass, each against a
// fresh backend: go-imap's in-memory server always, Dovecot when the
// environment names one.
func runSuite(t *testing.T, newBackend func(t *testing.T) *backend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b *backend)
	}{
		{"DeliversInUIDOrder", testDeliversInUIDOrder},
		{"SecondPollDeliversNothing", testSecondPollDeliversNothing},
		{"CursorResumesAfterRestart", testCursorResumesAfterRestart},
		{"RunDeliversMailArrivingDuringIdle", testRunDeliversDuringIdle},
		{"DeliverErrorStopsAndIsRetried", testDeliverErrorRetried},
		{"UIDValidityChangeRestartsFromOne", testUIDValidityChange},
		{"PollDoesNotSetSeen", testSeenNotSet},
		{"BatchSizeTwoWithFiveMessages", testBatchSize},
		{"WrongPasswordNamesLogin", testWrongPassword},
		{"OversizedMessageHeaderAndStartOfText", testOversized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newBackend(t))
		})
	}
}

func testDeliversInUIDOrder(t *testing.T, b *backend) {
	raws := [][]byte{testMessage(1), testMessage(2), testMessage(3)}
	for _, raw := range raws {
		b.append(t, raw)
	}
	sink := newSink()
	p, _ := newPoller(t, b.cfg, sink)
	poll(t, p, 3)

	got := sink.messages()
	key := b.cfg.Username + "/" + cmp.Or(b.cfg.Mailbox, imap.DefaultMailbox)
	for i, m := range got {
		if !bytes.Equal(m.Body, raws[i]) {
			t.Errorf("message %d: Body = %q, want %q", i, m.Body, raws[i])
		}
		if m.Mailbox != key || m.UIDValidity == 0 || m.Size != int64(len(raws[i])) || m.Truncated || m.InternalDate.IsZero() {
			t.Errorf("message %d = {Mailbox %q, UIDValidity %d, Size %d, Truncated %v, InternalDate %v}, want {%q, non-zero, %d, false, non-zero}",
				i, m.Mailbox, m.UIDValidity, m.Size, m.Truncated, m.InternalDate, key, len(raws[i]))
		}
		if i > 0 && m.UID <= got[i-1].UID {
			t.Errorf("message %d has UID %d after UID %d, want ascending", i, m.UID, got[i-1].UID)
		}
	}
	want := imap.Cursor{UIDValidity: got[0].UIDValidity, LastUID: got[2].UID}
	if c := sink.cursor(key); c != want {
		t.Errorf("saved cursor of %q = %+v, want %+v", key, c, want)
	}
}

func testSecondPollDeliversNothing(t *testing.T, b *backend) {
	b.append(t, testMessage(1))
	b.append(t, testMessage(2))
	sink := newSink()
	p, _ := newPoller(t, b.cfg, sink)
	poll(t, p, 2)
	poll(t, p, 0)
	b.append(t, testMessage(3))
	poll(t, p, 1)
	if got := sink.messages(); !bytes.Equal(got[2].Body, testMessage(3)) {
		t.Errorf("third delivery Body = %q, want message 3", got[2].Body)
	}
}

func testCursorResumesAfterRestart(t *testing.T, b *backend) {
	b.append(t, testMessage(1))
	b.append(t, testMessage(2))
	sink := newSink()
	first, _ := newPoller(t, b.cfg, sink)
	poll(t, first, 2)
	if err := first.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}

	b.append(t, testMessage(3))
	second, _ := newPoller(t, b.cfg, sink)
	poll(t, second, 1)
	got := sink.messages()
	if len(got) != 3 || !bytes.Equal(got[2].Body, testMessage(3)) || got[2].UID <= got[1].UID {
		t.Errorf("after restart delivered %d messages, last UID %d body %q; want 3, the new message after UID %d",
			len(got), got[len(got)-1].UID, got[len(got)-1].Body, got[1].UID)
	}
}

func testRunDeliversDuringIdle(t *testing.T, b *backend) {
	b.append(t, testMessage(1))
	sink := newSink()
	cfg := b.cfg
	cfg.PollInterval = time.Hour // only IDLE can bring the second message in time
	p, rec := newPoller(t, cfg, sink)
	startRun(t, p)
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(1)) {
		t.Fatalf("first delivery Body = %q, want message 1", m.Body)
	}
	rec.waitFor(t, "imap idle started")
	b.append(t, testMessage(2))
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(2)) {
		t.Fatalf("delivery during IDLE: Body = %q, want message 2", m.Body)
	}
}

func testDeliverErrorRetried(t *testing.T, b *backend) {
	for i := 1; i <= 3; i++ {
		b.append(t, testMessage(i))
	}
	sink := newSink()
	p, _ := newPoller(t, b.cfg, sink)
	// Learn the UIDs from a first pass with a sink of its own, then make
	// the second message fail once.
	probe := newSink()
	pp, _ := newPoller(t, b.cfg, probe)
	poll(t, pp, 3)
	uids := probe.messages()
	sink.failNext(uids[1].UID, 1)

	n, err := p.Poll(t.Context())
	if n != 1 || !errors.Is(err, errDeliver) || !strings.Contains(err.Error(), "deliver uid") {
		t.Fatalf("Poll() with failing Deliver = %d, %v; want 1, an error wrapping %q that names the uid", n, err, errDeliver)
	}
	key := uids[0].Mailbox
	if c := sink.cursor(key); c.LastUID != uids[0].UID {
		t.Errorf("cursor after failed delivery = %+v, want LastUID %d (before the failed message)", c, uids[0].UID)
	}
	poll(t, p, 2)
	got := sink.messages()
	if len(got) != 3 || got[1].UID != uids[1].UID || got[2].UID != uids[2].UID {
		t.Errorf("after retry delivered %+v, want UIDs %d, %d, %d", uidsOf(got), uids[0].UID, uids[1].UID, uids[2].UID)
	}
}

func testUIDValidityChange(t *testing.T, b *backend) {
	b.append(t, testMessage(1))
	b.append(t, testMessage(2))
	sink := newSink()
	p, rec := newPoller(t, b.cfg, sink)
	poll(t, p, 2)
	before := sink.messages()[0].UIDValidity

	b.recreate(t)
	b.append(t, testMessage(3))
	// A server may hang up on a session whose mailbox was deleted; the
	// poll after that reconnects.
	n, err := p.Poll(t.Context())
	if err != nil {
		t.Logf("first Poll() after the mailbox was recreated = %v; polling again", err)
		n, err = p.Poll(t.Context())
	}
	if err != nil || n != 1 {
		t.Fatalf("Poll() after UIDVALIDITY change = %d, %v, want 1, nil", n, err)
	}
	m := sink.messages()[2]
	if m.UIDValidity == before || !bytes.Equal(m.Body, testMessage(3)) {
		t.Errorf("after UIDVALIDITY change delivered UIDValidity %d body %q, want a UIDVALIDITY other than %d and message 3",
			m.UIDValidity, m.Body, before)
	}
	rec.waitFor(t, "imap uidvalidity changed, delivering the mailbox again from uid 1")
}

func testSeenNotSet(t *testing.T, b *backend) {
	b.append(t, testMessage(1))
	b.append(t, testMessage(2), string(goimap.FlagFlagged))
	sink := newSink()
	p, _ := newPoller(t, b.cfg, sink)
	poll(t, p, 2)
	for _, m := range sink.messages() {
		if flags := flagsOf(t, b, m.UID); hasFlag(flags, goimap.FlagSeen) {
			t.Errorf("flags of UID %d after Poll = %v, want no \\Seen", m.UID, flags)
		}
	}
}

func testBatchSize(t *testing.T, b *backend) {
	for i := 1; i <= 5; i++ {
		b.append(t, testMessage(i))
	}
	var trace lockedBuffer
	cfg := b.cfg
	cfg.BatchSize = 2
	cfg.DebugWriter = &trace
	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	poll(t, p, 5)
	for i, m := range sink.messages() {
		if !bytes.Equal(m.Body, testMessage(i+1)) {
			t.Errorf("message %d: Body = %q, want message %d", i, m.Body, i+1)
		}
	}
	// Each batch is one FETCH of the sizes and one of the bodies.
	if n := len(regexp.MustCompile(`(?m)^\S+ UID FETCH `).FindAllString(trace.String(), -1)); n != 6 {
		t.Errorf("UID FETCH commands for 5 messages in batches of 2 = %d, want 6; trace:\n%s", n, trace.String())
	}
}

func testWrongPassword(t *testing.T, b *backend) {
	cfg := b.cfg
	cfg.Password = "wrong password 123"
	p, _ := newPoller(t, cfg, newSink())
	_, err := p.Poll(t.Context())
	var imapErr *goimap.Error
	if err == nil || !strings.Contains(err.Error(), `login as "`+cfg.Username+`"`) || !errors.As(err, &imapErr) {
		t.Fatalf("Poll() with a wrong password = %v, want an error naming the login as %q and wrapping the server's NO", err, cfg.Username)
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("Poll() error %q holds the password", err)
	}
}

func uidsOf(msgs []imap.RawMessage) []uint32 {
	uids := make([]uint32, len(msgs))
	for i, m := range msgs {
		uids[i] = m.UID
	}
	return uids
}

// testOversized: a message over MaxMessageSize arrives as its whole header
// and the first MaxMessageSize bytes of its text, marked truncated with
// its real size, between two whole ones.
func testOversized(t *testing.T, b *backend) {
	big := append(testMessage(2), bytes.Repeat([]byte("The crate arrived crushed and wet.\r\n"), 200)...)
	b.append(t, testMessage(1))
	b.append(t, big)
	b.append(t, testMessage(3))
	cfg := b.cfg
	cfg.MaxMessageSize = 1000
	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	poll(t, p, 3)
	msgs := sink.messages()
	if len(msgs) != 3 || msgs[0].Truncated || msgs[2].Truncated || !bytes.Equal(msgs[2].Body, testMessage(3)) {
		t.Fatalf("delivered %d messages (truncated: %v); want 3, only the second truncated", len(msgs), truncatedFlags(msgs))
	}
	m := msgs[1]
	header, _, _ := bytes.Cut(testMessage(2), []byte("\r\n\r\n"))
	if !m.Truncated || m.Size != int64(len(big)) || !bytes.HasPrefix(m.Body, header) || len(m.Body) > len(header)+4+1000 {
		t.Errorf("oversized message: Truncated %t, Size %d (want %d), %d bytes starting %q; want the whole header and at most 1000 bytes of text",
			m.Truncated, m.Size, len(big), len(m.Body), m.Body[:min(len(m.Body), 60)])
	}
}

func truncatedFlags(msgs []imap.RawMessage) []bool {
	out := make([]bool, len(msgs))
	for i, m := range msgs {
		out[i] = m.Truncated
	}
	return out
}
