package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/web"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// SMSSender sends one SMS. *twilio.Client implements it.
type SMSSender interface {
	SendSMS(ctx context.Context, m twilio.SMS) (twilio.SendResult, error)
}

// Options are what a Gateway is built from. Store, Analyzer and Policy are
// required; the rest have defaults.
type Options struct {
	Store    store.Store
	Analyzer *nlp.Analyzer
	Policy   routing.Policy
	// SMS sends notifications; nil means the SMS channel is off and
	// notifications are recorded as not sent.
	SMS SMSSender
	// Calls places bridged call-backs; nil means calls are recorded as not
	// placed.
	Calls CallPlacer
	// Email sends the two customer emails the policy allows (P1); nil means
	// SMTP is off and they are recorded as not sent. EmailFrom, required
	// with Email, is their From: its display name signs them and its
	// domain ends their Message-IDs.
	Email     EmailSender
	EmailFrom string
	// EmailTemplates word the two customer emails (see LoadEmailTemplates);
	// nil means the embedded defaults, configs/email.
	EmailTemplates routing.EmailTemplates
	// AckWindow: a customer gets at most one acknowledgement per window
	// (email.ack_window); 0 acknowledges every opening of a case.
	AckWindow time.Duration
	// Forwarders are addresses whose mail forwards customers' mail
	// (imap.forwarders and the mailbox's own address): its customer is
	// the original sender. Staff addresses count as forwarders too.
	Forwarders []string
	// CustomerLists treats bulk list mail (imap.lists: customer) as
	// customer mail: scored and routed like any mail. False ignores it,
	// as other automatic mail is. Either way the message keeps its kind,
	// so no acknowledgement is sent to a list.
	CustomerLists bool
	// OwnAddresses are the gateway's own sending addresses (smtp.from,
	// whether SMTP is on or not): their mail never makes a customer.
	OwnAddresses []string
	// NoP1ManagerSMS turns off the SMS to a staff member's manager when
	// the staff member's email breaks POLICY P1 (policy.p1.notify_manager:
	// false); the violation is recorded on the case all the same.
	NoP1ManagerSMS bool
	// Twilio is the account whose webhooks the gateway accepts; with no
	// AuthToken every webhook is refused.
	Twilio TwilioAccount
	// RingTimeout is how many seconds each leg of a call-back rings.
	RingTimeout int
	// Voice answers the support line and takes voicemail; nil means the
	// line is not answered by the gateway.
	Voice *VoiceLine
	// VoiceAPI reads recordings, transcripts and callers from Twilio (the
	// pull, a configured transcriber); nil when Twilio is off.
	VoiceAPI VoiceAPI
	// Intake are the connectors that pull messages (the IMAP poller); each
	// runs until its context ends.
	Intake []Runner
	// Dashboard serves the web app (login, queue, cases, audit) on every
	// path the webhooks and health checks do not take; nil means none.
	Dashboard http.Handler
	// Metrics serves GET /metrics; MetricsToken, when set, guards it on the
	// main server, and MetricsAddr serves it on a listener of its own.
	MetricsToken string
	MetricsAddr  string
	// HTTPAddr is where the HTTP server listens; "" means no server.
	HTTPAddr string
	// Listener, when set, is used instead of listening on HTTPAddr.
	Listener net.Listener
	// PublicURL is where Twilio reaches the gateway: webhook signatures are
	// checked against it, and calls are given their webhook URLs under it.
	PublicURL       string
	ShutdownTimeout time.Duration
	// JobPollInterval is how often idle job workers look for work (>= 50ms).
	JobPollInterval time.Duration
	// JobRescueAfter is how long a job may run before it is taken as
	// abandoned and run again (default 10m).
	JobRescueAfter time.Duration
	// JobWorkers is how many jobs (SMS, calls, voicemail ingests) run at
	// once (default 16).
	JobWorkers int
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// OnIngest, when set, is called after each message is stored (the demo
	// prints from it).
	OnIngest func(IngestResult)
	// OnCommand, when set, is called after each staff SMS is handled.
	OnCommand func(CommandResult)
}

// TwilioAccount identifies the Twilio account: its webhooks are signed
// with AuthToken, and calls show From as the caller ID.
type TwilioAccount struct {
	AccountSID string
	AuthToken  string
	From       string
}

// fetchCooldown is the least time between two fetches of due jobs when
// jobs keep coming.
const fetchCooldown = 20 * time.Millisecond

// Runner is a long-running part, such as a mailbox poller.
type Runner interface {
	Run(ctx context.Context) error
}

// Gateway is the running application.
type Gateway struct {
	opts   Options
	store  store.Store
	log    *slog.Logger
	now    func() time.Time
	jobs   store.JobClient
	server *http.Server
	// metrics are this gateway's Prometheus metrics (GET /metrics).
	metrics *metrics

	web        *web.Server // the dashboard, when built by Open
	zones      *zones      // time zones of staff, loaded once each
	closers    []func() error
	closeStore bool
	stopOnce   sync.Once
	// deadLetters are the mailbox messages given up on since start,
	// shown by GET /readyz.
	deadLetters deadLetters
}

// New checks opts and builds the gateway; Run starts it.
func New(opts Options) (*Gateway, error) {
	if opts.Store == nil || opts.Analyzer == nil {
		return nil, errors.New("gateway: Store and Analyzer are required")
	}
	if err := opts.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("gateway: policy: %w", err)
	}
	if opts.Email != nil && emailAddress(opts.EmailFrom) == "" {
		return nil, fmt.Errorf("gateway: EmailFrom %q is not an email address; it is required with Email", opts.EmailFrom)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.EmailTemplates == nil {
		t, err := LoadEmailTemplates("", opts.Logger)
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		opts.EmailTemplates = t
	} else if err := routing.CheckEmailTemplates(opts.EmailTemplates); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 15 * time.Second
	}
	opts.JobPollInterval = max(opts.JobPollInterval, 50*time.Millisecond)
	if opts.JobRescueAfter <= 0 {
		opts.JobRescueAfter = 10 * time.Minute
	}
	if opts.JobWorkers <= 0 {
		opts.JobWorkers = 16
	}
	g := &Gateway{opts: opts, store: opts.Store, log: opts.Logger, now: opts.Now, zones: &zones{log: opts.Logger}}
	g.metrics = newMetrics(opts, opts.Store)
	g.store = g.metrics.observe(opts.Store)

	workers := river.NewWorkers()
	river.AddWorker(workers, &smsWorker{g: g})
	river.AddWorker(workers, &escalateWorker{g: g})
	river.AddWorker(workers, &placeCallWorker{g: g})
	river.AddWorker(workers, &reminderWorker{g: g})
	river.AddWorker(workers, &customerEmailWorker{g: g})
	river.AddWorker(workers, &voicemailWorker{g: g})
	jobs, err := opts.Store.NewJobClient(&river.Config{
		Queues: map[string]river.QueueConfig{
			queueNotify: {MaxWorkers: opts.JobWorkers},
			queueTimers: {MaxWorkers: 2},
		},
		Workers:           workers,
		Middleware:        g.metrics.jobMiddleware(),
		FetchPollInterval: opts.JobPollInterval,
		// After jobs are inserted or finish, workers look again this soon:
		// a burst (voicemail to ingest, SMS to send) drains at the workers'
		// pace, not at one fetch per poll interval.
		FetchCooldown:        min(opts.JobPollInterval/2, fetchCooldown),
		JobTimeout:           min(time.Minute, opts.JobRescueAfter),
		RescueStuckJobsAfter: opts.JobRescueAfter,
		Logger:               opts.Logger.With("component", "jobs"),
	})
	if err != nil {
		return nil, fmt.Errorf("gateway: job client: %w", err)
	}
	g.jobs = jobs
	g.server = &http.Server{
		Handler:           g.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return g, nil
}

// Run serves until ctx ends, then stops in two phases: intake and HTTP stop
// taking work, then in-flight jobs get ShutdownTimeout to finish before
// they are cancelled. It returns nil after a clean stop.
func (g *Gateway) Run(ctx context.Context) error {
	// River hard-stops when its start context ends; the two-phase stop
	// below is ours, so the workers get a context that is never cancelled.
	if err := g.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	ln := g.opts.Listener
	if ln == nil && g.opts.HTTPAddr != "" {
		var err error
		if ln, err = net.Listen("tcp", g.opts.HTTPAddr); err != nil {
			g.stopJobs()
			return fmt.Errorf("listen %s: %w", g.opts.HTTPAddr, err)
		}
	}
	errc := make(chan error, 2+len(g.opts.Intake))
	var wg sync.WaitGroup
	if ln != nil {
		g.log.Info("http listening", "addr", ln.Addr().String())
		wg.Go(func() {
			if err := g.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http: %w", err)
			}
		})
	}
	wg.Go(func() {
		if err := g.serveMetrics(); err != nil {
			errc <- err
		}
	})
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	for _, r := range g.opts.Intake {
		wg.Go(func() {
			if err := r.Run(intakeCtx); err != nil {
				errc <- fmt.Errorf("intake: %w", err)
			}
		})
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
		g.log.Error("stopping after a fatal error", "err", runErr)
	}
	g.log.Info("shutting down: intake and HTTP stop, in-flight work finishes")
	stopIntake()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.opts.ShutdownTimeout)
	defer cancel()
	if err := g.server.Shutdown(shutdownCtx); err != nil {
		g.log.Warn("http shutdown", "err", err)
	}
	g.shutdownMetrics(shutdownCtx)
	wg.Wait()
	g.stopJobsWithin(shutdownCtx)
	return runErr
}

func (g *Gateway) stopJobs() {
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.ShutdownTimeout)
	defer cancel()
	g.stopJobsWithin(ctx)
}

// stopJobsWithin stops the job workers once; River cancels the jobs still
// running when ctx ends, and they are retried at the next start.
func (g *Gateway) stopJobsWithin(ctx context.Context) {
	g.stopOnce.Do(func() {
		err := g.jobs.Stop(ctx)
		if err == nil {
			return
		}
		g.log.Warn("job workers did not finish in time: cancelling them (they run again at next start)", "err", err)
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := g.jobs.StopAndCancel(cctx); err != nil {
			g.log.Error("job workers stop and cancel", "err", err)
		}
	})
}
