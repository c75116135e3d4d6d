package imap

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrTimeout is wrapped by the error of a poll whose server sent nothing
// for Config.CommandTimeout while a command waited for its answer. The
// connection is closed by then, and the next poll reconnects.
var ErrTimeout = errors.New("imap: the server stopped answering")

// liveConn is the network connection beneath a client, under TLS too. It
// notes when the server last sent bytes, so that a watchdog can tell a
// server that is slowly sending a large answer from one that has stalled.
// go-imap sets read deadlines of its own only once an answer has begun,
// and none while a command waits for the first byte of its answer.
type liveConn struct {
	net.Conn
	start    time.Time    // a monotonic origin for lastRead
	lastRead atomic.Int64 // nanoseconds from start to the last read that returned bytes
}

func newLiveConn(c net.Conn) *liveConn {
	return &liveConn{Conn: c, start: time.Now()}
}

// Read reads from the connection and notes the time when bytes came.
func (c *liveConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastRead.Store(int64(time.Since(c.start)))
	}
	return n, err
}

// since returns the time from c's origin to now, the clock of lastRead.
func (c *liveConn) since() time.Duration { return time.Since(c.start) }

// silence returns how long the server has sent nothing, counting from the
// time from (a value of since) at the earliest.
func (c *liveConn) silence(from time.Duration) time.Duration {
	last := max(time.Duration(c.lastRead.Load()), from)
	return c.since() - last
}

// watch runs f, one exchange with the server over c, and calls abort when
// the server sends nothing for timeout meanwhile; abort must close the
// connection, so that f returns. watch then returns an error wrapping
// ErrTimeout, else f's error.
func watch(c *liveConn, timeout time.Duration, abort func(), f func() error) error {
	from := c.since()
	var (
		mu    sync.Mutex
		over  bool // f returned or the watchdog fired
		fired bool
		timer *time.Timer
	)
	check := func() {
		mu.Lock()
		if over {
			mu.Unlock()
			return
		}
		if quiet := c.silence(from); quiet < timeout {
			timer.Reset(timeout - quiet)
			mu.Unlock()
			return
		}
		over, fired = true, true
		mu.Unlock()
		abort()
	}
	mu.Lock()
	timer = time.AfterFunc(timeout, check)
	mu.Unlock()

	err := f()

	mu.Lock()
	over = true
	timer.Stop()
	stalled := fired
	mu.Unlock()
	if stalled {
		return fmt.Errorf("%w: nothing from the server for %v", ErrTimeout, timeout)
	}
	return err
}

// command runs f, one command over l, under Config.CommandTimeout; a
// server that stalls gets its connection dropped.
func (p *Poller) command(l *link, f func() error) error {
	return watch(l.conn, p.cfg.CommandTimeout, func() {
		p.log.Warn("imap server stopped answering: dropping the connection", "timeout", p.cfg.CommandTimeout)
		p.drop(l)
	}, f)
}
