package imaptest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// trackingListener records the connections it accepts, so that
// Server.DropConnections can close them.
type trackingListener struct {
	net.Listener
	s *Server
}

// Accept accepts a connection and records it; a connection accepted after
// Close is closed at once.
func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: l.s, closed: make(chan struct{})}
	l.s.mu.Lock()
	closed := l.s.closed
	if !closed {
		l.s.conns[tc] = struct{}{}
	}
	l.s.mu.Unlock()
	if closed {
		_ = c.Close()
	}
	return tc, nil
}

// trackedConn forgets itself when closed, and holds what it reads while
// the server is stalled.
type trackedConn struct {
	net.Conn
	s         *Server
	closed    chan struct{} // closed by Close
	closeOnce sync.Once
}

// Read reads from the client. While the server is stalled, the bytes
// wait here, unprocessed, until Resume or Close, as if the server had
// hung.
func (c *trackedConn) Read(b []byte) (int, error) {
	c.waitWhileStalled()
	n, err := c.Conn.Read(b)
	c.waitWhileStalled()
	return n, err
}

// waitWhileStalled blocks while the server is stalled and c is open.
func (c *trackedConn) waitWhileStalled() {
	c.s.mu.Lock()
	resumed := c.s.resumed
	c.s.mu.Unlock()
	if resumed == nil {
		return
	}
	select {
	case <-resumed:
	case <-c.closed:
	}
}

// Close closes the connection and forgets it.
func (c *trackedConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	return c.Conn.Close()
}

// serverLogger adapts imapserver's Printf logger to slog, or discards.
type serverLogger struct{ log *slog.Logger }

// Printf logs a server error message.
func (l serverLogger) Printf(format string, args ...any) {
	if l.log != nil {
		l.log.Warn(fmt.Sprintf(format, args...), "component", "imaptest")
	}
}

// noIdleListener hides IDLE from the capability lists the server sends.
// imapserver always offers IDLE to IMAP4rev1 clients, so the only way to
// show a client a server without it is to edit what goes on the wire.
type noIdleListener struct{ net.Listener }

// Accept accepts a connection whose capability lists lack IDLE.
func (l noIdleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return noIdleConn{c}, nil
}

// noIdleConn removes " IDLE" from written lines that carry CAPABILITY.
type noIdleConn struct{ net.Conn }

// Write writes b with IDLE taken out of its capability lists.
func (c noIdleConn) Write(b []byte) (int, error) {
	if !bytes.Contains(b, []byte("CAPABILITY")) {
		return c.Conn.Write(b)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	for i, line := range lines {
		if bytes.Contains(line, []byte("CAPABILITY")) {
			lines[i] = bytes.ReplaceAll(line, []byte(" IDLE"), nil)
		}
	}
	if _, err := c.Conn.Write(bytes.Join(lines, nil)); err != nil {
		return 0, err
	}
	return len(b), nil
}
