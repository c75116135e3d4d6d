package imap

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrClosed is returned by Poll and Run once Close has been called.
var ErrClosed = errors.New("imap: poller closed")

// Retry delays of Run after a failure: doubling from retryMin to retryMax,
// each with jitter.
const (
	retryMin = time.Second
	retryMax = 5 * time.Minute
)

// Poller reads new messages from one mailbox and hands them to a Sink. Its
// methods may be called from several goroutines; polls are serialised.
type Poller struct {
	cfg    Config
	sink   Sink
	log    *slog.Logger
	notify chan struct{} // holds one token when the server reported new mail
	done   chan struct{} // closed by Close

	// session is held for one conversation with the server (a poll, an
	// IDLE), so that commands of two polls never interleave.
	session sync.Mutex

	mu     sync.Mutex // guards client and closed
	client *imapclient.Client
	closed bool
}

// NewPoller checks cfg and returns a Poller for it. It does not connect:
// the first Poll does. A nil logger discards the logs.
func NewPoller(cfg Config, sink Sink, logger *slog.Logger) (*Poller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("imap new poller: %w", err)
	}
	if sink == nil {
		return nil, errors.New("imap new poller: sink is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if cfg.TLSConfig != nil && cfg.TLSConfig.InsecureSkipVerify {
		logger.Warn("imap TLS certificate verification is off (TLSConfig.InsecureSkipVerify)", "imap_addr", cfg.Addr)
	}
	return &Poller{
		cfg:    cfg,
		sink:   sink,
		log:    logger.With("imap_addr", cfg.Addr, "imap_mailbox", cfg.cursorKey()),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}, nil
}

// Close closes the connection, if any, and makes every later Poll and Run
// return ErrClosed. It interrupts a Poll or Run under way, and it is safe to
// call more than once.
func (p *Poller) Close() error {
	p.mu.Lock()
	c := p.client
	p.client = nil
	if !p.closed {
		p.closed = true
		close(p.done)
	}
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	if err := closeClient(c); err != nil {
		return fmt.Errorf("imap close connection to %s: %w", p.cfg.Addr, err)
	}
	return nil
}

// current returns the open connection, nil when there is none, or
// ErrClosed.
func (p *Poller) current() (*imapclient.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	if p.client != nil {
		select {
		case <-p.client.Closed():
			p.client = nil
		default:
		}
	}
	return p.client, nil
}

// isClosed reports whether Close has been called.
func (p *Poller) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// adopt makes c the Poller's connection, unless the Poller was closed
// meanwhile.
func (p *Poller) adopt(c *imapclient.Client) error {
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.client = c
	}
	p.mu.Unlock()
	if closed {
		_ = closeClient(c)
		return ErrClosed
	}
	return nil
}

// drop closes c and forgets it, so that the next poll reconnects. It is
// used after a protocol error, and to unblock c when a context ends.
func (p *Poller) drop(c *imapclient.Client) {
	p.mu.Lock()
	if p.client == c {
		p.client = nil
	}
	p.mu.Unlock()
	if err := closeClient(c); err != nil {
		p.log.Debug("imap close connection", "err", err)
	}
}

// dropCurrent drops whatever connection is open.
func (p *Poller) dropCurrent() {
	p.mu.Lock()
	c := p.client
	p.mu.Unlock()
	if c != nil {
		p.drop(c)
	}
}

// signal records that the server reported new mail. It runs on the
// client's reader goroutine, so it never blocks.
func (p *Poller) signal() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// closeClient closes c, leaving out the errors that only say it was
// closed already or that the server had hung up.
func closeClient(c *imapclient.Client) error {
	err := c.Close()
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}
