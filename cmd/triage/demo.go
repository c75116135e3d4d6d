package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/routing"
)

const (
	demoAccountSID = "AC00000000000000000000000000000000"
	demoUser       = "support@demo.example"
)

// demo runs the whole gateway against in-process stand-ins: an IMAP server
// holding the demo mail, and a loopback server standing in for Twilio's
// API that prints each SMS. Nothing needs installing.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exitAfter := fs.Duration("exit-after", 0, "exit after this long with a one-line summary (0: run until Ctrl-C)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP address for /healthz, /readyz")
	dataDir := fs.String("data", "", "directory for the demo's SQLite database (default: a fresh temporary one)")
	verbose := fs.Bool("v", false, "show the gateway's logs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *exitAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *exitAfter)
		defer cancel()
	}
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "triage-demo-")
		if err != nil {
			return fmt.Errorf("demo data dir: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	secrets := randomHex(16)

	mailbox, err := imaptest.Start(ctx, imaptest.ServerOptions{Username: demoUser, Password: secrets, TLS: true})
	if err != nil {
		return fmt.Errorf("demo mailbox: %w", err)
	}
	defer mailbox.Close()
	now := time.Now()
	for i, m := range demoMails {
		if err := mailbox.Append(ctx, "INBOX", m.raw(i, now), now.Add(-m.ago)); err != nil {
			return fmt.Errorf("demo mailbox: append: %w", err)
		}
	}

	out := &demoPrinter{w: stdout}
	sms := twiliotest.NewServer(demoAccountSID, secrets)
	defer sms.Close()
	sms.OnMessage(out.sms)

	cfg := config.Default()
	cfg.DataDir = dir
	cfg.HTTP.Addr = *httpAddr
	cfg.Staff = demoStaff
	cfg.Policy.DefaultOwner = "lee@demo.example"
	cfg.CustomersFile = filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(cfg.CustomersFile, []byte(demoCustomers), 0o600); err != nil {
		return fmt.Errorf("demo customers: %w", err)
	}
	cfg.IMAP = config.IMAP{Enabled: true, Addr: mailbox.Addr, Username: demoUser, Password: config.NewSecret(secrets),
		Mailbox: "INBOX", Security: "tls", PollInterval: 2 * time.Second}
	cfg.Twilio = config.Twilio{Enabled: true, AccountSID: demoAccountSID, AuthToken: config.NewSecret(secrets),
		From: "+16175550199", APIBaseURL: sms.URL()}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	logw := io.Discard
	if *verbose {
		logw = stderr
	}
	fmt.Fprintf(stdout, "demo: %d emails in an in-process mailbox at %s; Twilio stand-in at %s; data in %s\n",
		len(demoMails), mailbox.Addr, sms.URL(), dir)
	g, err := gateway.Open(ctx, cfg, gateway.SetupOptions{
		Logger:          newLogger(config.Log{Level: "info", Format: "text"}, logw),
		IMAP:            imap.Config{TLSConfig: mailbox.ClientTLSConfig()},
		OnIngest:        out.ingest,
		JobPollInterval: 200 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: gateway on http://%s (/healthz, /readyz); Ctrl-C to stop\n\n", *httpAddr)
	runErr := g.Run(ctx)
	if err := errors.Join(runErr, g.Close()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(stdout, out.summary())
	return nil
}

// demoPrinter prints what happens, from the gateway's and the stand-in's
// goroutines.
type demoPrinter struct {
	mu                     sync.Mutex
	w                      io.Writer
	messages, cases, texts int
}

func (p *demoPrinter) ingest(r gateway.IngestResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Duplicate {
		return
	}
	p.messages++
	if r.Quarantined {
		fmt.Fprintf(p.w, "✗ quarantined %s: %s\n\n", r.Inbound.ExternalID, r.Reason)
		return
	}
	a := r.Assessment
	fmt.Fprintf(p.w, "✉ %s: %q\n", r.Inbound.FromAddr, r.Inbound.Subject)
	fmt.Fprintf(p.w, "  tone %s (%+.2f) · urgency %s (%.2f) · category %s\n",
		a.Tone.Label, a.Tone.Score, a.Urgency.Level, a.Urgency.Score, a.Category.Primary)
	switch r.Plan.Action {
	case routing.ActionOpenCase:
		p.cases++
		fmt.Fprintf(p.w, "  → case %d opened · priority %s · call back by %s\n", r.CaseID, r.Plan.Priority, r.Plan.DueAt.Format("Mon 15:04 MST"))
	case routing.ActionUpdateCase:
		fmt.Fprintf(p.w, "  → added to case %d · priority %s\n", r.CaseID, r.Plan.Priority)
	default:
		fmt.Fprintf(p.w, "  → %s\n", r.Plan.Reason)
	}
	if r.Plan.RelationshipRisk {
		fmt.Fprintf(p.w, "  ! relationship risk: %s\n", r.Plan.OwnerReason)
	}
	for _, n := range r.Notifications {
		fmt.Fprintf(p.w, "  SMS queued to %s\n", n.To)
	}
	fmt.Fprintln(p.w)
}

func (p *demoPrinter) sms(m twiliotest.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.texts++
	fmt.Fprintf(p.w, "📱 Twilio stand-in got SMS %s to %s:\n   %s\n\n", m.SID, m.To, strings.ReplaceAll(m.Body, "\n", " "))
}

func (p *demoPrinter) summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("demo: %d messages, %d cases, %d sms", p.messages, p.cases, p.texts)
}
