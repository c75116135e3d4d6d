package imap

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// fetch fetches the messages of uids with one UID FETCH and returns them in
// UID order. Each body is fetched with BODY.PEEK[]<0.MaxMessageSize>, which
// leaves \Seen alone and bounds what one message can cost. A UID missing
// from the answer was expunged meanwhile and is left out.
func (p *Poller) fetch(l *link, uidValidity uint32, uids []imap.UID) ([]RawMessage, error) {
	section := &imap.FetchItemBodySection{
		Peek:    true,
		Partial: &imap.SectionPartial{Offset: 0, Size: p.cfg.MaxMessageSize},
	}
	opts := &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		RFC822Size:   true,
		BodySection:  []*imap.FetchItemBodySection{section},
	}
	var bufs []*imapclient.FetchMessageBuffer
	err := p.command(l, func() (err error) {
		bufs, err = l.client.Fetch(imap.UIDSetNum(uids...), opts).Collect()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("imap fetch uids %d-%d: %w", uids[0], uids[len(uids)-1], err)
	}

	msgs := make([]RawMessage, 0, len(bufs))
	for _, b := range bufs {
		if b.UID == 0 {
			return nil, fmt.Errorf("imap fetch uids %d-%d: message %d came back without its UID", uids[0], uids[len(uids)-1], b.SeqNum)
		}
		body := b.FindBodySection(section)
		if body == nil {
			// Retried by the next poll rather than delivered empty: a
			// server that answers without the body has not lost it.
			return nil, fmt.Errorf("imap fetch uid %d: the answer holds no BODY[]", b.UID)
		}
		size := b.RFC822Size
		if size < int64(len(body)) {
			size = int64(len(body))
		}
		msgs = append(msgs, RawMessage{
			Mailbox:      p.cfg.cursorKey(),
			UIDValidity:  uidValidity,
			UID:          uint32(b.UID),
			InternalDate: b.InternalDate,
			Size:         size,
			Body:         body,
			Truncated:    int64(len(body)) >= p.cfg.MaxMessageSize && size > int64(len(body)),
		})
	}
	slices.SortFunc(msgs, func(a, b RawMessage) int { return cmp.Compare(a.UID, b.UID) })
	return msgs, nil
}
