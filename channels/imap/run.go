package imap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Run polls until ctx ends, and then returns nil (or ErrClosed once Close
// was called). Between polls it waits with IDLE when the server has it,
// ending each IDLE when the server reports new mail, and after
// Config.PollInterval (at most 25 minutes) for a safety poll; without IDLE
// it waits Config.PollInterval. After a failure it logs the error once and
// retries with a doubling, jittered delay from one second to five minutes.
// The connection is closed when ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, p.dropCurrent)
	defer stop()
	var failures int
	for {
		err := p.cycle(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrClosed):
			return ErrClosed
		case err == nil:
			failures = 0
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

// cycle polls once, then waits for new mail.
func (p *Poller) cycle(ctx context.Context) error {
	if _, err := p.Poll(ctx); err != nil {
		return err
	}
	idled, err := p.idle(ctx)
	if err != nil || idled {
		return err
	}
	p.wait(ctx, p.cfg.PollInterval)
	return nil
}

// idle runs IDLE until the server reports new mail, the IDLE period ends
// or ctx ends. It reports false, having done nothing, when the server does
// not offer IDLE.
func (p *Poller) idle(ctx context.Context) (bool, error) {
	p.session.Lock()
	defer p.session.Unlock()
	c, err := p.current()
	if err != nil || c == nil || !c.Caps().Has(imap.CapIdle) {
		return false, err
	}
	cmd, err := c.Idle()
	if err != nil {
		p.drop(c)
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
	case <-c.Closed():
		reason = "connection closed"
	}
	err = cmd.Close()
	if err == nil {
		err = cmd.Wait()
	}
	p.log.Debug("imap idle ended", "reason", reason)
	if ctx.Err() != nil {
		return true, nil
	}
	if err == nil && reason == "connection closed" {
		err = errors.New("server closed the connection")
	}
	if err != nil {
		p.drop(c)
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
