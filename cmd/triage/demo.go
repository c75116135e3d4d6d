package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/web"
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
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP address for /healthz, /readyz and the Twilio webhooks")
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

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("demo: listen %s: %w", *httpAddr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()

	out := &demoPrinter{w: stdout, emails: make(chan struct{})}
	sms := twiliotest.NewServer(demoAccountSID, secrets)
	defer sms.Close()
	agent := &demoAgent{ctx: ctx, twilio: sms, webhook: base + gateway.PathSMS, out: out}
	for _, cb := range demoCallBacks {
		sms.Script(cb.customerPhone, twiliotest.Answer{Result: cb.answer, Talk: cb.talk})
	}
	sms.OnMessage(func(m twiliotest.Message) {
		out.sms(m)
		agent.onSMS(m)
	})
	sms.OnCall(out.call)
	defer agent.wait()

	cfg := config.Default()
	cfg.DataDir = dir
	cfg.HTTP.Addr = ln.Addr().String()
	cfg.HTTP.PublicURL = base
	cfg.Staff = slices.Clone(demoStaff)
	// A login for the manager, to look around the dashboard.
	managerPassword := randomHex(8)
	for i, st := range cfg.Staff {
		if st.Email == demoManager {
			if cfg.Staff[i].PasswordHash, err = web.HashPassword(managerPassword); err != nil {
				return fmt.Errorf("demo login: %w", err)
			}
		}
	}
	cfg.Dashboard.InsecureCookies = isLoopbackAddr(cfg.HTTP.Addr)
	cfg.Policy.DefaultOwner = "lee@demo.example"
	cfg.CustomersFile = filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(cfg.CustomersFile, []byte(demoCustomers), 0o600); err != nil {
		return fmt.Errorf("demo customers: %w", err)
	}
	cfg.IMAP = config.IMAP{Enabled: true, Addr: mailbox.Addr, Username: demoUser, Password: config.NewSecret(secrets),
		Mailbox: "INBOX", Security: "tls", PollInterval: 2 * time.Second}
	cfg.Twilio = config.Twilio{Enabled: true, AccountSID: demoAccountSID, AuthToken: config.NewSecret(secrets),
		From: "+16175550199", APIBaseURL: sms.URL()}
	cfg.Voice.Enabled = true
	cfg.Voice.Greeting = "Thanks for calling Demo Support. Please leave your name, number and what happened after the tone."
	cfg.Voice.TranscriptWait = 5 * time.Second
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
		Listener:        ln,
		JobPollInterval: 200 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: gateway on %s (/healthz, /readyz); Twilio webhooks at %s%s and %s/twilio/voice/... (unsigned requests are refused); Ctrl-C to stop\n",
		base, base, gateway.PathSMS, base)
	fmt.Fprintf(stdout, "demo: dashboard at %s/login: log in as the manager %s with password %s\n\n", base, demoManager, managerPassword)
	// Two callers leave voicemail once the mailbox is in: one angry, with a
	// transcript; one whose transcription fails.
	agent.wg.Go(func() {
		select {
		case <-ctx.Done():
			return
		case <-out.emails:
		}
		for _, c := range demoCallers {
			out.printf("☎  %s calls the support line and leaves a message\n\n", c.From)
			if _, err := sms.CallIn(ctx, base+gateway.PathVoiceInbound, c); err != nil && ctx.Err() == nil {
				out.printf("   ✗ the call failed: %v\n\n", err)
			}
		}
	})
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
	calls, resolved        int
	// Voicemail, counted apart so that the first counts stay the
	// mailbox's: messages, the cases they opened, and the SMS about those.
	voicemails, vmCases, vmTexts int
	vmCaseIDs                    map[int64]bool
	emails                       chan struct{} // closed when the demo mailbox is all in
}

func (p *demoPrinter) ingest(r gateway.IngestResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Duplicate {
		return
	}
	voicemail := r.Inbound.Channel == "voicemail"
	if voicemail {
		p.voicemails++
		if r.Plan.Action == routing.ActionOpenCase {
			p.vmCases++
			if p.vmCaseIDs == nil {
				p.vmCaseIDs = map[int64]bool{}
			}
			p.vmCaseIDs[r.CaseID] = true
		}
	} else {
		p.messages++
		if p.messages == len(demoMails) && p.emails != nil {
			close(p.emails)
		}
	}
	if r.Quarantined {
		fmt.Fprintf(p.w, "✗ quarantined %s: %s\n\n", r.Inbound.ExternalID, r.Reason)
		return
	}
	a := r.Assessment
	if voicemail {
		from := r.Inbound.FromAddr
		if from == "" {
			from = "a withheld number"
		}
		fmt.Fprintf(p.w, "☎  voicemail from %s: %q\n   transcript: %q\n", from, r.Inbound.Subject, r.Inbound.Text)
	} else {
		fmt.Fprintf(p.w, "✉ %s: %q\n", r.Inbound.FromAddr, r.Inbound.Subject)
	}
	fmt.Fprintf(p.w, "  tone %s (%+.2f) · urgency %s (%.2f) · category %s\n",
		a.Tone.Label, a.Tone.Score, a.Urgency.Level, a.Urgency.Score, a.Category.Primary)
	switch r.Plan.Action {
	case routing.ActionOpenCase:
		if !voicemail {
			p.cases++
		}
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

// sms prints an SMS the stand-in got: a notification about a case (they
// start "[PRIORITY]"; the summary counts them), or a follow-up text to an
// agent during a call-back.
func (p *demoPrinter) sms(m twiliotest.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	body := strings.ReplaceAll(m.Body, "\n", " ")
	if strings.HasPrefix(body, "[") {
		if match := demoCaseNumber.FindStringSubmatch(body); match != nil {
			if id, _ := strconv.ParseInt(match[1], 10, 64); p.vmCaseIDs[id] {
				p.vmTexts++
				fmt.Fprintf(p.w, "📳 Twilio stand-in got SMS %s to %s:\n   %s\n\n", m.SID, m.To, body)
				return
			}
		}
		p.texts++
		fmt.Fprintf(p.w, "📱 Twilio stand-in got SMS %s to %s:\n   %s\n\n", m.SID, m.To, body)
		return
	}
	fmt.Fprintf(p.w, "💬 text to the agent %s: %s\n\n", m.To, body)
}

// call prints a call the gateway asked the stand-in to place.
func (p *demoPrinter) call(c twiliotest.Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	fmt.Fprintf(p.w, "☎  Twilio stand-in places call %s: ringing the agent %s first\n\n", c.SID, c.To)
}

// printf prints one step of the demo agent's play.
func (p *demoPrinter) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
}

func (p *demoPrinter) resolve() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resolved++
}

func (p *demoPrinter) summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("demo: %d messages, %d cases, %d sms, %d calls, %d resolved, %d voicemails (%d cases, %d sms)",
		p.messages, p.cases, p.texts, p.calls, p.resolved, p.voicemails, p.vmCases, p.vmTexts)
}

// demoAgent plays the staff side of demoCallBacks through the stand-in:
// it answers the owner's SMS with CALL, and after the conversation with
// DONE, each as a signed inbound SMS to the gateway's webhook.
type demoAgent struct {
	ctx     context.Context
	twilio  *twiliotest.Server
	webhook string
	out     *demoPrinter
	wg      sync.WaitGroup

	mu     sync.Mutex
	called map[string]int64 // customer → case number, once CALL was sent
}

var demoCaseNumber = regexp.MustCompile(`Case (\d+)`)

// onSMS reacts to an SMS the stand-in got. It runs on the stand-in's
// request goroutine, so the replies go out from goroutines of their own.
func (a *demoAgent) onSMS(m twiliotest.Message) {
	match := demoCaseNumber.FindStringSubmatch(m.Body)
	if match == nil {
		return
	}
	id, _ := strconv.ParseInt(match[1], 10, 64)
	for _, cb := range demoCallBacks {
		if m.To != cb.ownerPhone {
			continue
		}
		a.mu.Lock()
		if a.called == nil {
			a.called = map[string]int64{}
		}
		caseID, called := a.called[cb.customer]
		first := !called && strings.HasPrefix(m.Body, "[") && strings.Contains(m.Body, cb.customer)
		if first {
			a.called[cb.customer] = id
		}
		a.mu.Unlock()
		switch {
		case first:
			a.reply(cb, fmt.Sprintf("CALL %d", id), 300*time.Millisecond)
		case called && caseID == id && cb.done != "" && strings.Contains(m.Body, "when it is settled"):
			a.legs(cb)
			a.reply(cb, fmt.Sprintf("DONE %d %s", id, cb.done), 300*time.Millisecond)
		case called && caseID == id && !strings.HasPrefix(m.Body, "["):
			a.legs(cb)
		}
	}
}

// reply sends text from the owner's phone after a pause, and prints the
// gateway's answer.
func (a *demoAgent) reply(cb demoCallBack, text string, after time.Duration) {
	a.wg.Go(func() {
		select {
		case <-a.ctx.Done():
			return
		case <-time.After(after):
		}
		a.out.printf("👤 %s texts %q to the support number\n", cb.owner, text)
		r, err := a.twilio.SendSMS(a.ctx, a.webhook, cb.ownerPhone, text)
		if err != nil {
			a.out.printf("   ✗ the gateway did not answer: %v\n\n", err)
			return
		}
		answer := strings.Join(r.Messages, " ")
		a.out.printf("   ↩ gateway replies: %s\n\n", answer)
		if strings.HasPrefix(text, "DONE") && strings.Contains(answer, "resolved") {
			a.out.resolve()
		}
	})
}

// legs prints how the call to cb's customer went, from the stand-in.
func (a *demoAgent) legs(cb demoCallBack) {
	for _, c := range a.twilio.Calls() {
		if c.To != cb.customerPhone {
			continue
		}
		how := fmt.Sprintf("answered by a person, talked %s", c.Duration)
		if c.AnsweredBy != "" && c.AnsweredBy != "human" {
			how = "reached the voicemail (" + c.AnsweredBy + ")"
		}
		var whisper string
		for _, parent := range a.twilio.Calls() {
			if parent.SID == c.ParentSID {
				whisper = strings.Join(parent.Said, " ")
			}
		}
		a.out.printf("☎  %s heard: %q\n   then the stand-in dialled %s from %s: %s\n\n", cb.owner, whisper, c.To, c.From, how)
	}
}

// wait lets the replies in flight finish.
func (a *demoAgent) wait() { a.wg.Wait() }

// demoManager is the demo's manager, who gets a dashboard login.
const demoManager = "anna@demo.example"

// isLoopbackAddr reports whether a host:port listens on loopback only.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
