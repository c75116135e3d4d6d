package imap

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// A slow answer whose bytes keep coming is not cut, however long it takes
// in all; the watchdog measures silence, not the length of a command.
func TestWatchSparesAnAnswerThatKeepsComing(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	go func() {
		defer server.Close()
		for range 15 { // 1.5 s in all, a byte every 100 ms
			time.Sleep(timeout / 10)
			if _, err := server.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	lc := newLiveConn(client)
	var aborted atomic.Bool
	var got []byte
	start := time.Now()
	err := watch(lc, timeout, func() { aborted.Store(true); lc.Close() }, func() (err error) {
		got, err = io.ReadAll(lc)
		return err
	})
	if err != nil || aborted.Load() || len(got) != 15 {
		t.Fatalf("watch(an answer of 15 bytes over %v) = %v, aborted %v, read %d bytes; want nil, not aborted, 15 bytes",
			time.Since(start), err, aborted.Load(), len(got))
	}
}

// A server that goes silent is given up after the timeout: abort closes
// the connection and watch reports ErrTimeout.
func TestWatchAbortsWhenTheServerGoesSilent(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	go func() { _, _ = server.Write([]byte("* OK hello\r\n")) }()
	lc := newLiveConn(client)
	var aborted atomic.Bool
	err := watch(lc, timeout, func() { aborted.Store(true); lc.Close() }, func() error {
		_, err := io.ReadAll(lc)
		return err
	})
	if !errors.Is(err, ErrTimeout) || !aborted.Load() {
		t.Fatalf("watch(a server that stops sending) = %v, aborted %v; want ErrTimeout and aborted", err, aborted.Load())
	}
}
