package imap

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// msgInfo is what the first FETCH of a batch learns about one message,
// before any of its body is downloaded.
type msgInfo struct {
	uid          imap.UID
	size         int64
	internalDate time.Time
}

// fetchInfo fetches the UID, RFC822.SIZE and INTERNALDATE of uids with one
// UID FETCH and returns them in UID order. A UID missing from the answer
// was expunged meanwhile and is left out. The answer is a few dozen bytes
// a message, so it is collected whole.
func (p *Poller) fetchInfo(l *link, uids []imap.UID) ([]msgInfo, error) {
	opts := &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true}
	var bufs []*imapclient.FetchMessageBuffer
	err := p.command(l, func() (err error) {
		bufs, err = l.client.Fetch(imap.UIDSetNum(uids...), opts).Collect()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("imap fetch sizes of uids %d-%d: %w", uids[0], uids[len(uids)-1], err)
	}
	infos := make([]msgInfo, 0, len(bufs))
	for _, b := range bufs {
		if b.UID == 0 {
			return nil, fmt.Errorf("imap fetch sizes of uids %d-%d: message %d came back without its UID", uids[0], uids[len(uids)-1], b.SeqNum)
		}
		infos = append(infos, msgInfo{uid: b.UID, size: b.RFC822Size, internalDate: b.InternalDate})
	}
	slices.SortFunc(infos, func(a, b msgInfo) int { return cmp.Compare(a.uid, b.uid) })
	return slices.CompactFunc(infos, func(a, b msgInfo) bool { return a.uid == b.uid }), nil
}

// oversized reports whether the message of info is over MaxMessageSize and
// so is fetched in part.
func (p *Poller) oversized(info msgInfo) bool { return info.size > p.cfg.MaxMessageSize }

// fetchItems returns what a FETCH asks for the messages of a run: the whole
// source with BODY.PEEK[] (which leaves \Seen alone), or for oversized
// messages the header and the first MaxMessageSize bytes of the text, each
// bounded by a partial FETCH so that no message costs more than twice
// MaxMessageSize.
func (p *Poller) fetchItems(oversized bool) []*imap.FetchItemBodySection {
	if !oversized {
		return []*imap.FetchItemBodySection{{Peek: true}}
	}
	partial := &imap.SectionPartial{Offset: 0, Size: p.cfg.MaxMessageSize}
	return []*imap.FetchItemBodySection{
		{Specifier: imap.PartSpecifierHeader, Peek: true, Partial: partial},
		{Specifier: imap.PartSpecifierText, Peek: true, Partial: partial},
	}
}

// stream fetches the bodies of run, messages that are all oversized or all
// not, with one UID FETCH, and hands each message to handle as soon as it
// has arrived, in UID order, so that one message at a time is held in
// memory. The server's next message waits in the connection meanwhile.
//
// Each wait for the server is watched with Config.CommandTimeout on its
// own, so that the time handle takes never counts as the server's silence.
// When handle fails, the rest of the answer is not downloaded: the
// connection is closed and forgotten, so that the next poll reconnects, and
// handle's error is returned.
func (p *Poller) stream(l *link, uidValidity uint32, run []msgInfo, handle func(RawMessage) error) error {
	oversized := p.oversized(run[0])
	sections := p.fetchItems(oversized)
	uids := make([]imap.UID, len(run))
	for i, info := range run {
		uids[i] = info.uid
	}
	what := fmt.Sprintf("imap fetch uids %d-%d", uids[0], uids[len(uids)-1])
	opts := &imap.FetchOptions{UID: true, BodySection: sections}

	var cmd *imapclient.FetchCommand
	if err := p.command(l, func() error {
		cmd = l.client.Fetch(imap.UIDSetNum(uids...), opts)
		return nil
	}); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	next := 0 // index in run of the earliest message still to come
	for {
		var (
			m   RawMessage
			ok  bool
			err error
		)
		if werr := p.command(l, func() error {
			m, ok, err = p.readMessage(cmd, sections)
			return nil
		}); werr != nil {
			err = werr
		}
		if err == nil && ok {
			i := slices.IndexFunc(run[next:], func(info msgInfo) bool { return uint32(info.uid) == m.UID })
			if i < 0 {
				err = fmt.Errorf("uid %d came back out of order or unasked", m.UID)
			} else {
				next += i + 1
				p.complete(&m, uidValidity, run[next-1], oversized)
			}
		}
		if err != nil {
			p.abandon(l, cmd)
			return fmt.Errorf("%s: %w", what, err)
		}
		if !ok {
			break
		}
		if err := handle(m); err != nil {
			p.abandon(l, cmd)
			return err
		}
	}
	if err := p.command(l, cmd.Close); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// readMessage reads the next message of cmd, reading each body section
// up to MaxMessageSize bytes: a server that sends more than it announced
// cannot make a message cost more. It returns false when no message is
// left.
func (p *Poller) readMessage(cmd *imapclient.FetchCommand, sections []*imap.FetchItemBodySection) (RawMessage, bool, error) {
	data := cmd.Next()
	if data == nil {
		return RawMessage{}, false, nil
	}
	var m RawMessage
	parts := make([][]byte, len(sections))
	found := make([]bool, len(sections))
	for item := data.Next(); item != nil; item = data.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			m.UID = uint32(item.UID)
		case imapclient.FetchItemDataBodySection:
			i := slices.IndexFunc(sections, item.MatchCommand)
			if i < 0 || item.Literal == nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(item.Literal, p.cfg.MaxMessageSize+1))
			if err != nil {
				return RawMessage{}, false, fmt.Errorf("read message %d: %w", data.SeqNum, err)
			}
			if int64(len(b)) > p.cfg.MaxMessageSize {
				b, m.Truncated = b[:p.cfg.MaxMessageSize], true
			}
			parts[i], found[i] = b, true
		}
	}
	if m.UID == 0 {
		return RawMessage{}, false, fmt.Errorf("message %d came back without its UID", data.SeqNum)
	}
	if slices.Contains(found, false) {
		// Retried by the next poll rather than delivered empty: a server
		// that answers without the body has not lost it.
		return RawMessage{}, false, fmt.Errorf("uid %d: the answer holds no body", m.UID)
	}
	m.Body = slices.Concat(parts...)
	return m, true, nil
}

// complete fills in what m, just read, takes from its batch and its
// msgInfo.
func (p *Poller) complete(m *RawMessage, uidValidity uint32, info msgInfo, oversized bool) {
	m.Mailbox = p.cfg.cursorKey()
	m.UIDValidity = uidValidity
	m.InternalDate = info.internalDate
	m.Size = max(info.size, int64(len(m.Body)))
	m.Truncated = m.Truncated || oversized
}

// abandon ends cmd before its answer is complete. It closes the
// connection first, so that the rest of the answer is not downloaded, then
// drains cmd, which lets the client's reader goroutine, blocked on handing
// over the next message, see the closed connection and end; only then can
// the client be closed without waiting forever. The next poll reconnects.
func (p *Poller) abandon(l *link, cmd *imapclient.FetchCommand) {
	if err := l.conn.Close(); err != nil {
		p.log.Debug("imap close connection", "err", err)
	}
	_ = cmd.Close() // its error only says that the connection is closed
	p.drop(l)
}
