package imap

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// sinkError marks an error of the Sink: it says nothing of the
// connection, which poll leaves open (a streamed FETCH cut short by it has
// dropped the connection already).
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// Poll connects if needed, opens the mailbox read-only (EXAMINE), fetches
// every message with a UID past the Sink's cursor in batches of
// Config.BatchSize, delivers each in UID order as it arrives and saves the
// cursor after each. It returns how many messages were delivered.
//
// When the mailbox's UIDVALIDITY differs from the cursor's, the mailbox is
// delivered again from UID 1 and a warning is logged. When Deliver fails,
// Poll stops before the cursor passes the message and returns the error;
// the next Poll delivers it again; the rest of the batch is not downloaded,
// so the connection is dropped. After a protocol error the connection is
// dropped too, and the next Poll reconnects.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	p.session.Lock()
	defer p.session.Unlock()
	return p.poll(ctx)
}

// poll is Poll with p.session held.
func (p *Poller) poll(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("imap poll %s: %w", p.cfg.cursorKey(), context.Cause(ctx))
	}
	l, err := p.conn(ctx)
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { p.drop(l) })
	defer stop()

	n, err := p.pollConn(ctx, l)
	if err == nil {
		if n > 0 {
			p.log.Info("imap poll delivered", "count", n)
		}
		return n, nil
	}
	if ctx.Err() != nil {
		return n, fmt.Errorf("imap poll %s: %w", p.cfg.cursorKey(), context.Cause(ctx))
	}
	if p.isClosed() {
		return n, fmt.Errorf("imap poll %s: %w", p.cfg.cursorKey(), ErrClosed)
	}
	if _, ok := errors.AsType[*sinkError](err); !ok {
		p.drop(l)
	}
	return n, err
}

// pollConn does the work of one poll over l.
func (p *Poller) pollConn(ctx context.Context, l *link) (int, error) {
	key := p.cfg.cursorKey()
	cur, err := p.sink.Cursor(ctx, key)
	if err != nil {
		return 0, &sinkError{fmt.Errorf("imap read cursor of %s: %w", key, err)}
	}
	var sel *imap.SelectData
	err = p.command(l, func() (err error) {
		sel, err = l.client.Select(p.cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("imap examine %q: %w", p.cfg.Mailbox, err)
	}
	if sel.UIDValidity == 0 {
		return 0, fmt.Errorf("imap examine %q: server sent no UIDVALIDITY", p.cfg.Mailbox)
	}
	if cur.UIDValidity != sel.UIDValidity {
		if cur.UIDValidity != 0 {
			p.log.Warn("imap uidvalidity changed, delivering the mailbox again from uid 1",
				"old_uidvalidity", cur.UIDValidity, "new_uidvalidity", sel.UIDValidity, "old_last_uid", cur.LastUID)
		}
		cur = Cursor{UIDValidity: sel.UIDValidity}
		if err := p.sink.SaveCursor(ctx, key, cur); err != nil {
			return 0, &sinkError{fmt.Errorf("imap save cursor %+v of %s: %w", cur, key, err)}
		}
	}
	if sel.NumMessages == 0 || cur.LastUID == math.MaxUint32 ||
		(sel.UIDNext != 0 && uint32(sel.UIDNext) <= cur.LastUID+1) {
		return 0, nil
	}

	uids, err := p.newUIDs(l, cur.LastUID)
	if err != nil {
		return 0, err
	}
	n := 0
	deliver := func(m RawMessage) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.sink.Deliver(ctx, m); err != nil {
			return &sinkError{fmt.Errorf("imap deliver uid %d of %s: %w", m.UID, key, err)}
		}
		n++
		cur.LastUID = m.UID
		if err := p.sink.SaveCursor(ctx, key, cur); err != nil {
			return &sinkError{fmt.Errorf("imap save cursor %+v of %s: %w", cur, key, err)}
		}
		p.log.Debug("imap delivered", "uid", m.UID, "size", m.Size, "truncated", m.Truncated)
		return nil
	}
	for batch := range slices.Chunk(uids, p.cfg.BatchSize) {
		infos, err := p.fetchInfo(l, batch)
		if err != nil {
			return n, err
		}
		// Messages over the size limit are fetched in part, with other
		// FETCH items: each run of alike messages is one FETCH, so that
		// the messages are still delivered in UID order.
		for run := range p.runs(infos) {
			if err := p.stream(l, sel.UIDValidity, run, deliver); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// runs yields infos cut into runs of consecutive messages that are all
// oversized or all not.
func (p *Poller) runs(infos []msgInfo) iter.Seq[[]msgInfo] {
	return func(yield func([]msgInfo) bool) {
		for len(infos) > 0 {
			big := p.oversized(infos[0])
			end := 1
			for end < len(infos) && p.oversized(infos[end]) == big {
				end++
			}
			if !yield(infos[:end]) {
				return
			}
			infos = infos[end:]
		}
	}
}

// newUIDs returns the UIDs past last, in ascending order.
func (p *Poller) newUIDs(l *link, last uint32) ([]imap.UID, error) {
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{{Start: imap.UID(last + 1), Stop: 0}}}}
	var data *imap.SearchData
	err := p.command(l, func() (err error) {
		data, err = l.client.UIDSearch(crit, nil).Wait()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("imap search uids after %d: %w", last, err)
	}
	// "n:*" always matches the highest UID, even when it is below n.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return uint32(u) <= last })
	slices.Sort(uids)
	return slices.Compact(uids), nil
}
