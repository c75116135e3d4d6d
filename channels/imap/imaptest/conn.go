package imaptest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
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
	tc := &trackedConn{Conn: c, s: l.s}
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

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	s *Server
}

// Close closes the connection and forgets it.
func (c *trackedConn) Close() error {
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
