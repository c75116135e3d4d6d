package gateway

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/configs"
	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/web"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// SetupOptions adjust what Open builds from a configuration.
type SetupOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Listener replaces listening on the configured HTTP address.
	Listener net.Listener
	// IMAP carries mailbox settings a config file does not: TLSConfig for
	// a private CA, DebugWriter for a protocol trace. Its address, account
	// and security come from the configuration.
	IMAP imap.Config
	// SMTP likewise carries relay settings a config file does not:
	// TLSConfig for a private CA, HelloName, Timeout. Its address,
	// account, security and sender come from the configuration.
	SMTP     smtp.Config
	OnIngest func(IngestResult)
	// JobPollInterval overrides jobs.poll_interval.
	JobPollInterval time.Duration
	// OnCommand is Options.OnCommand.
	OnCommand func(CommandResult)
}

// Open builds a gateway from a validated configuration: it opens (and
// migrates) the store, loads staff and customers into it, loads the NLP
// models and lexicons once, and sets up the enabled channels, logging which
// are off. Close releases what Open opened.
func Open(ctx context.Context, cfg config.Config, o SetupOptions) (*Gateway, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	g, err := build(ctx, cfg, o, st, log)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	g.closeStore = true
	return g, nil
}

func build(ctx context.Context, cfg config.Config, o SetupOptions, st store.Store, log *slog.Logger) (*Gateway, error) {
	defaultOwner, err := SyncDirectory(ctx, st, cfg)
	if err != nil {
		return nil, err
	}
	analyzer, err := LoadAnalyzer(cfg.NLP.Dir)
	if err != nil {
		return nil, err
	}
	policy, err := routingPolicy(cfg, defaultOwner)
	if err != nil {
		return nil, err
	}
	opts := Options{
		Store: st, Analyzer: analyzer, Policy: policy,
		HTTPAddr: cfg.HTTP.Addr, Listener: o.Listener, PublicURL: cfg.HTTP.PublicURL,
		ShutdownTimeout: cfg.HTTP.ShutdownTimeout, JobPollInterval: cmp.Or(o.JobPollInterval, cfg.Jobs.PollInterval),
		JobRescueAfter: cfg.Jobs.RescueAfter, JobWorkers: cfg.Jobs.Workers, RingTimeout: cfg.Policy.Calls.RingTimeout,
		Now: o.Now, Logger: log, OnIngest: o.OnIngest, OnCommand: o.OnCommand, NoP1ManagerSMS: !cfg.Policy.P1.ManagerSMS(),
	}
	if cfg.Twilio.Enabled {
		c, err := twilio.New(twilio.Config{
			AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken.Value(), From: cfg.Twilio.From,
			MessagingServiceSID: cfg.Twilio.MessagingServiceSID, APIBaseURL: cfg.Twilio.APIBaseURL,
			StatusCallbackURL: smsStatusURL(cfg.HTTP.PublicURL),
		}, &http.Client{Timeout: 30 * time.Second})
		if err != nil {
			return nil, fmt.Errorf("twilio: %w", err)
		}
		opts.SMS = c
		opts.Twilio = TwilioAccount{AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken.Value(), From: cfg.Twilio.From}
		opts.VoiceAPI = c
		if cfg.HTTP.PublicURL == "" {
			log.Warn("no http.public_url: Twilio cannot reach the gateway, so staff SMS replies and call-backs are off (voice.pull.only)")
		}
		if cfg.Voice.Enabled {
			line, err := voiceLine(ctx, cfg, st)
			if err != nil {
				return nil, err
			}
			opts.Voice = line
		}
		if cfg.Twilio.From != "" {
			opts.Calls = c
		} else {
			log.Warn("twilio.from is not set: call-backs cannot be placed (a Messaging Service sends SMS only)")
		}
	} else {
		log.Warn("channel off: twilio (no SMS will be sent; notifications are recorded as not sent)")
	}
	if cfg.IMAP.Username != "" && strings.Contains(cfg.IMAP.Username, "@") {
		opts.Forwarders = append(opts.Forwarders, cfg.IMAP.Username)
	}
	opts.Forwarders = append(opts.Forwarders, cfg.IMAP.Forwarders...)
	opts.CustomerLists = cfg.IMAP.Lists == config.ListsCustomer
	if a := emailAddress(cfg.SMTP.From); a != "" {
		opts.OwnAddresses = append(opts.OwnAddresses, a)
	}
	if cfg.SMTP.Enabled {
		sc := o.SMTP
		sc.Addr, sc.Username, sc.Password = cfg.SMTP.Addr, cfg.SMTP.Username, cfg.SMTP.Password.Value()
		sc.Security, sc.From = smtp.Security(cfg.SMTP.Security), cfg.SMTP.From
		sc.CAFile = cfg.SMTP.TLSCAFile
		s, err := smtp.NewSender(sc, log.With("component", "smtp"))
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		opts.Email, opts.EmailFrom = s, cfg.SMTP.From
		log.Info("channel on: smtp (the acknowledgement and the voicemail note are emailed to customers)", "smtp", sc)
	} else {
		log.Info("channel off: smtp (no customer email is sent; each is recorded on its case as not sent)")
	}
	if opts.EmailTemplates, err = LoadEmailTemplates(cfg.Email.TemplatesDir, log); err != nil {
		return nil, err
	}
	if w := cfg.Email.AckWindow; w != nil {
		opts.AckWindow = *w
	}
	opts.MetricsAddr, opts.MetricsToken = cfg.Metrics.Addr, cfg.Metrics.Token.Value()
	g, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := g.mountDashboard(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.Voice.Enabled && cfg.Twilio.Enabled && (cfg.Voice.Pull.Enabled || cfg.Voice.Pull.Only) {
		g.opts.Intake = append(g.opts.Intake, g.NewVoicePuller(opts.VoiceAPI, cfg.Voice.Pull.Interval, cfg.Voice.Pull.Overlap))
	} else if cfg.Voice.Enabled {
		log.Info("voicemail pull is off: voicemail comes by webhook only (voice.pull.enabled)")
	}
	if cfg.IMAP.Enabled {
		ic := o.IMAP
		ic.Addr, ic.Username, ic.Password = cfg.IMAP.Addr, cfg.IMAP.Username, cfg.IMAP.Password.Value()
		ic.Mailbox, ic.Security, ic.PollInterval = cfg.IMAP.Mailbox, imap.Security(cfg.IMAP.Security), cfg.IMAP.PollInterval
		ic.CAFile = cfg.IMAP.CAFile
		p, err := imap.NewPoller(ic, g.MailboxSink(), log.With("component", "imap"))
		if err != nil {
			return nil, fmt.Errorf("imap: %w", err)
		}
		g.opts.Intake = append(g.opts.Intake, p)
		g.closers = append(g.closers, p.Close)
		if cfg.IMAP.SentMailbox != "" {
			sc := ic
			sc.Mailbox = cfg.IMAP.SentMailbox
			sp, err := imap.NewPoller(sc, g.SentMailSink(), log.With("component", "imap", "mailbox", sc.Mailbox))
			if err != nil {
				return nil, fmt.Errorf("imap sent mailbox: %w", err)
			}
			g.opts.Intake = append(g.opts.Intake, sp)
			g.closers = append(g.closers, sp.Close)
			log.Info("staff replies are audited (P1): the Sent folder is read", "mailbox", sc.Mailbox)
		} else {
			log.Info("the Sent folder is not read: staff replies are audited only when they reach the gateway (imap.sent_mailbox)")
		}
	} else {
		log.Warn("channel off: imap (no mailbox is read)")
	}
	return g, nil
}

// Close releases the store if Open opened it, and the channels.
func (g *Gateway) Close() error {
	var errs []error
	for _, c := range g.closers {
		errs = append(errs, c())
	}
	if g.closeStore {
		errs = append(errs, g.store.Close())
	}
	return errors.Join(errs...)
}

// LoadAnalyzer loads the NLP lexicons from dir, or the embedded ones when
// dir is "", and the models, once.
func LoadAnalyzer(dir string) (*nlp.Analyzer, error) {
	var fsys fs.FS = configs.NLPFS()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	c, err := nlp.LoadConfig(fsys)
	if err != nil {
		return nil, fmt.Errorf("nlp config: %w", err)
	}
	a, err := nlp.New(c)
	if err != nil {
		return nil, fmt.Errorf("nlp: %w", err)
	}
	return a, nil
}

// voiceLine builds how the gateway answers the support line.
func voiceLine(ctx context.Context, cfg config.Config, st store.Store) (*VoiceLine, error) {
	v := cfg.Voice
	line := &VoiceLine{
		Greeting:           twilio.Greeting{Text: v.Greeting, AudioURL: v.GreetingURL},
		AfterHoursGreeting: twilio.Greeting{Text: v.AfterHoursGreeting, AudioURL: v.AfterHoursGreetingURL},
		MaxLength:          v.MaxLength, FinishOnKey: v.FinishOnKey, DialTimeout: v.DialTimeout,
		TranscriptWait: v.TranscriptWait, DefaultRegion: v.DefaultRegion,
		TwilioTranscribes: v.Transcriber.Kind == "twilio",
	}
	if line.Greeting == (twilio.Greeting{}) {
		line.Greeting.Text = "Thank you for calling. Please leave a message after the tone, with your name and number, and we will call you back."
	}
	if line.AfterHoursGreeting == (twilio.Greeting{}) {
		line.AfterHoursGreeting = line.Greeting
	}
	line.DialOwner = v.DialOwner
	for _, n := range v.Numbers {
		if line.Numbers == nil {
			line.Numbers = map[string]Greetings{}
		}
		line.Numbers[n.Number] = Greetings{Open: twilio.Greeting{Text: n.Greeting, AudioURL: n.GreetingURL},
			AfterHours: twilio.Greeting{Text: n.AfterHoursGreeting, AudioURL: n.AfterHoursGreetingURL}}
	}
	if v.Hours != "" {
		loc, err := time.LoadLocation(v.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("voice.time_zone: %w", err)
		}
		if line.Hours, err = routing.ParseHours(v.Hours, loc); err != nil {
			return nil, fmt.Errorf("voice.hours: %w", err)
		}
	}
	for _, email := range v.DialFirst {
		s, err := st.StaffGetByEmail(ctx, strings.ToLower(email))
		if err != nil {
			return nil, fmt.Errorf("voice.dial_first %s: %w", email, err)
		}
		if s.Phone != "" {
			line.DialFirst = append(line.DialFirst, s.Phone)
		}
	}
	switch v.Transcriber.Kind {
	case "command":
		line.Transcriber = CommandTranscriber{Argv: v.Transcriber.Command, Timeout: v.Transcriber.Timeout}
	case "http":
		line.Transcriber = HTTPTranscriber{URL: v.Transcriber.URL, Client: &http.Client{Timeout: v.Transcriber.Timeout}}
	}
	return line, nil
}

// smsStatusURL is where Twilio reports the delivery of the SMS the gateway
// sends; "" without a public URL (voice.pull.only).
func smsStatusURL(publicURL string) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + PathSMSStatus
}

// linkKeySetting is where a generated slot-link key is kept.
const linkKeySetting = "dashboard.link_key"

// mountDashboard builds the web dashboard from cfg and serves it on the
// gateway's HTTP server.
func (g *Gateway) mountDashboard(ctx context.Context, cfg config.Config) error {
	key, err := linkKey(ctx, g.store, cfg.Dashboard.LinkSecret.Value())
	if err != nil {
		return err
	}
	d := cfg.Dashboard
	wo := web.Options{
		Store: g.store, Actions: g.Dashboard(), Now: g.now, Logger: g.log.With("component", "web"),
		SessionIdle: d.SessionIdle, SessionMax: d.SessionMax, LoginAttempts: d.LoginAttempts, LoginWindow: d.LoginWindow,
		SecureCookies: !d.InsecureCookies, LinkKey: key, SlotLinkTTL: d.SlotLinkTTL, PublicURL: g.opts.PublicURL,
		Targets: audit.Targets{Notify: d.Targets.Notify, Conversation: d.Targets.Conversation, Resolution: d.Targets.Resolution},
	}
	if g.opts.VoiceAPI != nil {
		wo.Recordings = g.Dashboard()
	}
	srv, err := web.New(wo)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	g.web = srv
	g.opts.Dashboard = srv
	g.server.Handler = g.routes()
	return nil
}

// linkKey is the key that signs the customer's slot links: the configured
// secret, or one generated once and kept in the database (so links survive
// a restart and every instance on one database agrees).
func linkKey(ctx context.Context, st store.Store, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate link key: %w", err)
	}
	v, err := st.SettingSetIfAbsent(ctx, linkKeySetting, hex.EncodeToString(b))
	if err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	return hex.DecodeString(v)
}
