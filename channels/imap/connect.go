package imap

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dialTimeout bounds the TCP connect; Config.CommandTimeout bounds each
// silence of the server after it, and the context the whole.
const dialTimeout = 30 * time.Second

// conn returns the open connection, or connects and logs in.
func (p *Poller) conn(ctx context.Context) (*link, error) {
	l, err := p.current()
	if err != nil || l != nil {
		return l, err
	}
	l, err = p.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.adopt(l); err != nil {
		return nil, err
	}
	p.log.Info("imap connected", "security", string(p.cfg.Security), "idle", l.client.Caps().Has(imap.CapIdle))
	return l, nil
}

// dial connects to the server as Config.Security says, waits for the
// greeting and logs in. The connection is closed if ctx ends meanwhile, or
// if the server sends nothing for Config.CommandTimeout.
func (p *Poller) dial(ctx context.Context) (*link, error) {
	addr := p.cfg.Addr
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("imap connect to %s: %w", addr, err)
	}
	d := net.Dialer{Timeout: dialTimeout}
	tcp, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("imap connect to %s: %w", addr, err)
	}
	raw := newLiveConn(tcp)
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()

	var (
		c    *imapclient.Client
		step string
	)
	err = watch(raw, p.cfg.CommandTimeout, func() { _ = raw.Close() }, func() error {
		var herr error
		c, step, herr = p.handshake(ctx, raw, host)
		return herr
	})
	if err != nil {
		if c != nil {
			_ = c.Close()
		}
		_ = raw.Close()
		// Closing raw is what made the step fail when ctx ended.
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return nil, fmt.Errorf("imap %s %s: %w", step, addr, err)
	}
	return &link{client: c, conn: raw}, nil
}

// handshake does what comes before the first command over raw: TLS as
// Config.Security says, the greeting and LOGIN. On failure it returns the
// step that failed, and the client when one was made.
func (p *Poller) handshake(ctx context.Context, raw net.Conn, host string) (*imapclient.Client, string, error) {
	opts := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					p.signal()
				}
			},
		},
	}
	if p.cfg.DebugWriter != nil {
		opts.DebugWriter = newRedactor(p.cfg.DebugWriter, p.cfg.Password)
	}
	tlsConfig := &tls.Config{}
	if p.cfg.TLSConfig != nil {
		tlsConfig = p.cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}

	var c *imapclient.Client
	switch p.cfg.Security {
	case SecurityTLS:
		if tlsConfig.NextProtos == nil {
			tlsConfig.NextProtos = []string{"imap"}
		}
		tc := tls.Client(raw, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, "tls handshake with", err
		}
		c = imapclient.New(tc, opts)
	case SecurityStartTLS:
		opts.TLSConfig = tlsConfig
		var err error
		if c, err = imapclient.NewStartTLS(raw, opts); err != nil {
			return nil, "starttls with", err
		}
	default:
		c = imapclient.New(raw, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		return c, "read greeting of", err
	}
	if err := c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		return c, fmt.Sprintf("login as %q at", p.cfg.Username), err
	}
	if err := ctx.Err(); err != nil {
		return c, "connect to", err
	}
	return c, "", nil
}

// redactor is the DebugWriter wrapper that hides the password, as sent
// raw or as an IMAP quoted string, and serialises the writes of the
// client's reading and writing goroutines. A write error of the trace never
// breaks the connection: the trace is best effort.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte
}

// newRedactor returns w wrapped to replace password with "***".
func newRedactor(w io.Writer, password string) io.Writer {
	r := &redactor{w: w}
	if password == "" {
		return r
	}
	// The quoted form first: it is the longer one when they differ.
	quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(password)
	if quoted != password {
		r.secrets = append(r.secrets, []byte(quoted))
	}
	r.secrets = append(r.secrets, []byte(password))
	return r
}

// Write writes b to the trace with the secrets replaced.
func (r *redactor) Write(b []byte) (int, error) {
	out := b
	for _, s := range r.secrets {
		if bytes.Contains(out, s) {
			out = bytes.ReplaceAll(out, s, []byte("***"))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.w.Write(out)
	return len(b), nil
}
