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

	mu     sync.Mutex // guards link and closed
	link   *link
	closed bool
}

// link is one logged-in connection to the server: the client, and the
// network connection beneath it, which the command watchdog observes.
type link struct {
	client *imapclient.Client
	conn   *liveConn
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
	if cfg.CAFile != "" {
		tc, err := withCAFile(cfg.TLSConfig, cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("imap new poller: %w", err)
		}
		cfg.TLSConfig = tc
	}
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
	l := p.link
	p.link = nil
	if !p.closed {
		p.closed = true
		close(p.done)
	}
	p.mu.Unlock()
	if l == nil {
		return nil
	}
	if err := closeClient(l.client); err != nil {
		return fmt.Errorf("imap close connection to %s: %w", p.cfg.Addr, err)
	}
	return nil
}

// current returns the open connection, nil when there is none, or
// ErrClosed.
func (p *Poller) current() (*link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	if p.link != nil {
		select {
		case <-p.link.client.Closed():
			p.link = nil
		default:
		}
	}
	return p.link, nil
}

// isClosed reports whether Close has been called.
func (p *Poller) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// adopt makes l the Poller's connection, unless the Poller was closed
// meanwhile.
func (p *Poller) adopt(l *link) error {
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.link = l
	}
	p.mu.Unlock()
	if closed {
		_ = closeClient(l.client)
		return ErrClosed
	}
	return nil
}

// drop closes l and forgets it, so that the next poll reconnects. It is
// used after a protocol error, when the server stalls, and to unblock l
// when a context ends.
func (p *Poller) drop(l *link) {
	p.mu.Lock()
	if p.link == l {
		p.link = nil
	}
	p.mu.Unlock()
	if err := closeClient(l.client); err != nil {
		p.log.Debug("imap close connection", "err", err)
	}
}

// dropCurrent drops whatever connection is open.
func (p *Poller) dropCurrent() {
	p.mu.Lock()
	l := p.link
	p.mu.Unlock()
	if l != nil {
		p.drop(l)
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
