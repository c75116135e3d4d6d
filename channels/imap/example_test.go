package imap_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
)

// printSink prints each message and keeps the cursors in a map. A real
// Sink stores both in the database, and ignores a message it already has.
type printSink map[string]imap.Cursor

func (s printSink) Cursor(_ context.Context, mailbox string) (imap.Cursor, error) {
	return s[mailbox], nil
}

func (s printSink) Deliver(_ context.Context, m imap.RawMessage) error {
	fmt.Printf("%s uid %d: %d bytes\n", m.Mailbox, m.UID, len(m.Body))
	return nil
}

func (s printSink) SaveCursor(_ context.Context, mailbox string, c imap.Cursor) error {
	s[mailbox] = c
	return nil
}

func ExamplePoller_Poll() {
	ctx := context.Background()
	srv, err := imaptest.Start(ctx, imaptest.ServerOptions{Username: "support", Password: "secret", TLS: true})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	raw := []byte("From: customer@example.com\r\nSubject: Broken parcel\r\n\r\nIt arrived broken.\r\n")
	if err := srv.Append(ctx, "INBOX", raw, time.Now()); err != nil {
		log.Fatal(err)
	}

	p, err := imap.NewPoller(imap.Config{
		Addr:      srv.Addr,
		Username:  "support",
		Password:  "secret",
		TLSConfig: srv.ClientTLSConfig(), // trusts the test server's certificate
	}, printSink{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	for range 2 {
		n, err := p.Poll(ctx)
		fmt.Println("delivered", n, err)
	}
	// Output:
	// support/INBOX uid 1: 74 bytes
	// delivered 1 <nil>
	// delivered 0 <nil>
}
