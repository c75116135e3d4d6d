package imap_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
)

// bigMessage returns message i padded with lines of text to about size
// bytes.
func bigMessage(i, size int) []byte {
	raw := testMessage(i)
	line := []byte("All work and no play makes Jack a dull boy.\r\n")
	return append(raw, bytes.Repeat(line, max(0, size-len(raw))/len(line))...)
}

// heapSink is an imap.Sink that keeps no body: at each delivery it notes
// the UID, the body's length and the heap in use after a collection.
type heapSink struct {
	cursor imap.Cursor
	uids   []uint32
	sizes  []int
	heap   []uint64
}

func (s *heapSink) Cursor(context.Context, string) (imap.Cursor, error) { return s.cursor, nil }

func (s *heapSink) SaveCursor(_ context.Context, _ string, c imap.Cursor) error {
	s.cursor = c
	return nil
}

func (s *heapSink) Deliver(_ context.Context, m imap.RawMessage) error {
	s.uids = append(s.uids, m.UID)
	s.sizes = append(s.sizes, len(m.Body))
	s.heap = append(s.heap, heapInUse())
	return nil
}

// heapInUse returns the bytes of heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// A batch of 20 messages of 2 MB is handed over one message at a time: the
// poller's heap grows by far less than the batch while it delivers. The
// test is not parallel, so that no other test's heap is counted.
func TestPollStreamsBatchWithBoundedMemory(t *testing.T) {
	const (
		count = 20
		size  = 2 << 20
	)
	srv := startServer(t, imaptest.ServerOptions{})
	for i := 1; i <= count; i++ {
		if err := srv.Append(t.Context(), "INBOX", bigMessage(i, size), time.Time{}); err != nil {
			t.Fatalf("Server.Append(message %d) = %v, want nil", i, err)
		}
	}
	sink := &heapSink{}
	p, _ := newPoller(t, memConfig(srv, imap.SecurityNone), sink)
	base := heapInUse() // the server's copy of the mailbox included
	poll(t, p, count)

	for i, uid := range sink.uids {
		if uid != uint32(i+1) || sink.sizes[i] < size-100 {
			t.Fatalf("delivery %d = uid %d of %d bytes, want uid %d of about %d bytes", i, uid, sink.sizes[i], i+1, size)
		}
	}
	var peak uint64
	for _, h := range sink.heap {
		if h > base {
			peak = max(peak, h-base)
		}
	}
	if limit := uint64(count*size) * 4 / 10; peak >= limit {
		t.Errorf("heap grew by up to %d bytes while a batch of %d bytes was delivered, want < %d (40%%)", peak, count*size, limit)
	}
	t.Logf("heap growth at its peak: %.1f MB for a batch of %d MB", float64(peak)/(1<<20), count*size>>20)
}

// Messages over the size limit among small ones are delivered in UID order,
// each flagged and cut, and the messages after them come whole.
func TestPollMixesOversizedAndWholeInUIDOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{})
	raws := [][]byte{testMessage(1), bigMessage(2, 5000), bigMessage(3, 5000), testMessage(4), bigMessage(5, 5000), testMessage(6)}
	for i, raw := range raws {
		if err := srv.Append(t.Context(), "INBOX", raw, time.Time{}); err != nil {
			t.Fatalf("Server.Append(message %d) = %v, want nil", i+1, err)
		}
	}
	cfg := memConfig(srv, imap.SecurityNone)
	cfg.MaxMessageSize = 1000
	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	poll(t, p, len(raws))

	got := sink.messages()
	for i, m := range got {
		raw := raws[i]
		big := len(raw) > 1000
		if m.UID != uint32(i+1) || m.Truncated != big || m.Size != int64(len(raw)) {
			t.Errorf("message %d = {UID %d, Truncated %v, Size %d}, want {%d, %v, %d}", i+1, m.UID, m.Truncated, m.Size, i+1, big, len(raw))
		}
		switch {
		case !big && !bytes.Equal(m.Body, raw):
			t.Errorf("message %d: Body = %q, want it whole", i+1, m.Body)
		case big && (!bytes.HasPrefix(raw, m.Body) || len(m.Body) <= 1000 || len(m.Body) > 2000):
			t.Errorf("message %d: Body of %d bytes, want its header and the first 1000 bytes of its text", i+1, len(m.Body))
		}
	}
	if c := sink.cursor(got[0].Mailbox); c.LastUID != uint32(len(raws)) {
		t.Errorf("cursor = %+v, want LastUID %d", c, len(raws))
	}
}

// A sink error in the middle of a streamed batch stops it there; the next
// poll delivers that message and the rest.
func TestPollDeliverErrorMidStream(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{})
	for i := 1; i <= 10; i++ {
		appendMsg(t, srv, i)
	}
	sink := newSink()
	sink.failNext(6, 1)
	p, _ := newPoller(t, memConfig(srv, imap.SecurityNone), sink)
	n, err := p.Poll(t.Context())
	if n != 5 || err == nil {
		t.Fatalf("Poll() with Deliver of uid 6 failing = %d, %v; want 5, an error", n, err)
	}
	if c := sink.cursor(sink.messages()[0].Mailbox); c.LastUID != 5 {
		t.Errorf("cursor after failed delivery = %+v, want LastUID 5", c)
	}
	poll(t, p, 5)
	for i, m := range sink.messages() {
		if want := testMessage(i + 1); m.UID != uint32(i+1) || !bytes.Equal(m.Body, want) {
			t.Errorf("delivery %d = uid %d %q, want uid %d %q", i, m.UID, m.Body, i+1, want)
		}
	}
	if got := len(sink.messages()); got != 10 {
		t.Errorf("delivered %d messages, want 10", got)
	}
}
