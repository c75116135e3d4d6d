package imap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Run polls until ctx ends, and then returns nil (or ErrClosed once Close
// was called). Between polls it waits with IDLE when the server has it,
// ending each IDLE when the server reports new mail, and after
// Config.PollInterval (at most 25 minutes) for a safety poll; without IDLE
// it waits Config.PollInterval. After a failure it logs the error once and
// retries with a doubling, jittered delay from one second to five minutes;
// a successful poll starts the delay afresh, so that an outage after a
// reconnect waits a second again, not where the last outage left off. The
// connection is closed when ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, p.dropCurrent)
	defer stop()
	var failures int
	for {
		polled, err := p.cycle(ctx)
		if polled {
			failures = 0
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrClosed):
			return ErrClosed
		case err == nil:
			continue
		case p.isClosed():
			return ErrClosed
		}
		failures++
		delay := retryDelay(failures)
		p.log.Error("imap poll failed", "err", err, "failures", failures, "retry_in", delay)
		if !p.wait(ctx, delay) {
			if ctx.Err() != nil {
				return nil
			}
			return ErrClosed
		}
	}
}

// cycle polls once, then waits for new mail. It reports whether the poll
// succeeded, even when the wait then failed.
func (p *Poller) cycle(ctx context.Context) (polled bool, err error) {
	if _, err := p.Poll(ctx); err != nil {
		return false, err
	}
	idled, err := p.idle(ctx)
	if err != nil || idled {
		return true, err
	}
	p.wait(ctx, p.cfg.PollInterval)
	return true, nil
}

// idle runs IDLE until the server reports new mail, the IDLE period ends
// or ctx ends. It reports false, having done nothing, when the server does
// not offer IDLE. Starting and ending IDLE are commands under
// Config.CommandTimeout; the wait between them has no limit.
func (p *Poller) idle(ctx context.Context) (bool, error) {
	p.session.Lock()
	defer p.session.Unlock()
	l, err := p.current()
	if err != nil || l == nil || !l.client.Caps().Has(imap.CapIdle) {
		return false, err
	}
	var cmd *imapclient.IdleCommand
	err = p.command(l, func() (err error) {
		cmd, err = l.client.Idle()
		return err
	})
	if err != nil {
		p.drop(l)
		return true, fmt.Errorf("imap idle in %q: %w", p.cfg.Mailbox, err)
	}
	period := p.cfg.idlePeriod()
	p.log.Debug("imap idle started", "period", period)
	timer := time.NewTimer(period)
	defer timer.Stop()

	var reason string
	select {
	case <-ctx.Done():
		reason = "context done"
	case <-p.notify:
		reason = "new mail"
	case <-timer.C:
		reason = "period over"
	case <-l.client.Closed():
		reason = "connection closed"
	}
	err = p.command(l, func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
	p.log.Debug("imap idle ended", "reason", reason)
	if ctx.Err() != nil {
		return true, nil
	}
	if err == nil && reason == "connection closed" {
		err = errors.New("server closed the connection")
	}
	if err != nil {
		p.drop(l)
		return true, fmt.Errorf("imap idle in %q: %w", p.cfg.Mailbox, err)
	}
	return true, nil
}

// retryDelay is the wait after the given number of failures in a row:
// retryMin doubled per failure up to retryMax, then jittered to between
// half and all of that, so that pollers do not retry in step.
func retryDelay(failures int) time.Duration {
	d := retryMax
	if failures < 20 {
		d = min(retryMin<<(failures-1), retryMax)
	}
	return d/2 + rand.N(d/2+1)
}

// wait waits for d, or until ctx ends or Close is called, and reports
// whether d passed.
func (p *Poller) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-p.done:
		return false
	}
}
