// Package config reads and checks the gateway's YAML configuration
// (configs/gateway.example.yaml documents every key). Unknown keys, missing
// required values and bad values are refused with the key named, all at
// once. Secrets come from the environment ("${VAR}") or from files
// ("*_file" keys), never inline, and never print.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole gateway configuration. The zero value of every field
// means its default (see Default).
type Config struct {
	DataDir   string    `yaml:"data_dir"`
	Log       Log       `yaml:"log"`
	Database  Database  `yaml:"database"`
	HTTP      HTTP      `yaml:"http"`
	IMAP      IMAP      `yaml:"imap"`
	Twilio    Twilio    `yaml:"twilio"`
	Voice     Voice     `yaml:"voice"`
	SMTP      SMTP      `yaml:"smtp"`
	Email     Email     `yaml:"email"`
	Policy    Policy    `yaml:"policy"`
	NLP       NLP       `yaml:"nlp"`
	Jobs      Jobs      `yaml:"jobs"`
	Dashboard Dashboard `yaml:"dashboard"`
	Metrics   Metrics   `yaml:"metrics"`
	Staff     []Staff   `yaml:"staff"`
	// CustomersFile is a YAML list of customers (see Customer) loaded at start.
	CustomersFile string `yaml:"customers_file"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info (default), warn, error
	Format string `yaml:"format"` // text (default) or json
}

// Database chooses the store.
type Database struct {
	// URL is "" (SQLite at DataDir/triage.db), "sqlite:PATH" or a
	// "postgres://" URL.
	URL     string `yaml:"url"`
	URLFile string `yaml:"url_file"` // a file holding the URL (it may carry a password)
	// NoMigrate refuses to start on an old schema instead of migrating.
	NoMigrate bool `yaml:"no_migrate"`
}

// HTTP configures the server for health checks and the Twilio webhooks.
type HTTP struct {
	Addr string `yaml:"addr"` // default 127.0.0.1:8080
	// PublicURL is how Twilio and staff reach this server, e.g.
	// "https://triage.example.com"; used for webhook signatures and links.
	PublicURL       string        `yaml:"public_url"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // default 15s
}

// Dashboard configures the web app managers and agents log in to (served
// on http.addr, under http.public_url).
type Dashboard struct {
	// SessionIdle ends a login unused this long (default 8h); SessionMax
	// ends any login this long after it began (default 7 days).
	SessionIdle time.Duration `yaml:"session_idle"`
	SessionMax  time.Duration `yaml:"session_max"`
	// LoginAttempts is how many failed logins one account, or one client
	// address, may make per LoginWindow before it must wait (default 5 per
	// 15m).
	LoginAttempts int           `yaml:"login_attempts"`
	LoginWindow   time.Duration `yaml:"login_window"`
	// LinkSecret signs the customer's slot-picking links. Unset, a random
	// key is generated once and kept in the database.
	LinkSecret     Secret `yaml:"link_secret"`
	LinkSecretFile string `yaml:"link_secret_file"`
	// SlotLinkTTL is how long a slot-picking link works (default 72h).
	SlotLinkTTL time.Duration `yaml:"slot_link_ttl"`
	// InsecureCookies drops the Secure flag from cookies, for a dashboard
	// reached over plain http on loopback only.
	InsecureCookies bool `yaml:"insecure_cookies"`
	// Targets are the audit's SLA targets besides the call-back's due time.
	Targets AuditTargets `yaml:"targets"`
}

// AuditTargets are the times the audit counts as met: from receipt to the
// first notification, to the first live conversation and to resolution.
// The first call attempt's target is each case's own due time (POLICY P2).
type AuditTargets struct {
	Notify       time.Duration `yaml:"notify"`       // default 5m
	Conversation time.Duration `yaml:"conversation"` // default 24h
	Resolution   time.Duration `yaml:"resolution"`   // default 72h
}

// Metrics configures the Prometheus endpoint GET /metrics.
type Metrics struct {
	// Addr serves /metrics on a listener of its own (e.g. a port the
	// scraper reaches and the public does not), without a token.
	Addr string `yaml:"addr"`
	// Token, when set, serves /metrics on http.addr too, to requests with
	// "Authorization: Bearer <token>".
	Token     Secret `yaml:"token"`
	TokenFile string `yaml:"token_file"`
}

// IMAP configures the support mailbox.
type IMAP struct {
	Enabled      bool          `yaml:"enabled"`
	Addr         string        `yaml:"addr"` // host:port
	Username     string        `yaml:"username"`
	Password     Secret        `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	Mailbox      string        `yaml:"mailbox"`  // default INBOX
	Security     string        `yaml:"security"` // tls (default), starttls, none (loopback only)
	PollInterval time.Duration `yaml:"poll_interval"`
	// CAFile names a PEM file of the CA certificates that the server's
	// certificate must chain to, instead of the system roots: for a
	// server with a private CA or a self-signed certificate.
	CAFile string `yaml:"tls_ca_file"`
	// SentMailbox is the shared mailbox's Sent folder (such as "Sent"),
	// read by a second poller on the same account with its own cursor:
	// every message there is staff mail, audited under POLICY P1. ""
	// turns the audit of the Sent folder off.
	SentMailbox string `yaml:"sent_mailbox"`
	// Forwarders are addresses (such as a sales@ inbox with a forwarding
	// rule) whose mail forwards customers' mail: the customer of such a
	// mail is the original sender found in it. The mailbox's own address
	// (Username) and staff addresses count as forwarders too.
	Forwarders []string `yaml:"forwarders"`
	// Lists says what becomes of bulk list mail (newsletters,
	// announcements: what the mail parser classifies as "list"):
	// ListsIgnore (the default, also "") stores it without a case, like
	// other automatic mail; ListsCustomer scores and routes it like a
	// customer's mail. Bounces and auto-replies are ignored either way.
	Lists string `yaml:"lists"`
}

// The values of imap.lists.
const (
	ListsIgnore   = "ignore"
	ListsCustomer = "customer"
)

// Twilio configures SMS.
type Twilio struct {
	Enabled             bool   `yaml:"enabled"`
	AccountSID          string `yaml:"account_sid"`
	AuthToken           Secret `yaml:"auth_token"`
	AuthTokenFile       string `yaml:"auth_token_file"`
	From                string `yaml:"from"`
	MessagingServiceSID string `yaml:"messaging_service_sid"`
	APIBaseURL          string `yaml:"api_base_url"` // default https://api.twilio.com
}

// Voice configures the support line: Twilio answers it with the gateway's
// greeting and records a voicemail, which becomes an inbound message.
type Voice struct {
	// Enabled answers the number's voice webhook (POST /twilio/voice/inbound)
	// and takes voicemail (needs twilio.enabled).
	Enabled bool `yaml:"enabled"`
	// Greeting is said in business hours (or GreetingURL is played), then
	// the beep. AfterHours* are used outside Hours.
	Greeting              string `yaml:"greeting"`
	GreetingURL           string `yaml:"greeting_url"`
	AfterHoursGreeting    string `yaml:"after_hours_greeting"`
	AfterHoursGreetingURL string `yaml:"after_hours_greeting_url"`
	// Hours and TimeZone are the line's business hours ("" = always open).
	Hours    string `yaml:"hours"`
	TimeZone string `yaml:"time_zone"`
	// MaxLength bounds a recording (default 3m); FinishOnKey ends it
	// (default "#").
	MaxLength   time.Duration `yaml:"max_length"`
	FinishOnKey string        `yaml:"finish_on_key"`
	// Numbers gives some of the account's numbers greetings of their own.
	Numbers []VoiceNumber `yaml:"numbers"`
	// DialOwner rings the caller's account owner first in business hours.
	DialOwner bool `yaml:"dial_owner"`
	// DialFirst lists staff emails rung first in business hours; the caller
	// is recorded only if nobody answers within DialTimeout (default 20s).
	DialFirst   []string      `yaml:"dial_first"`
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// TranscriptWait is how long a recording waits for its transcript
	// before its case opens without words (default 3m).
	TranscriptWait time.Duration `yaml:"transcript_wait"`
	// NoTranscriptPriority is the priority of a voicemail with no words
	// (default high); MinPriority, when set, is the lowest of any voicemail
	// case.
	NoTranscriptPriority string `yaml:"no_transcript_priority"`
	MinPriority          string `yaml:"min_priority"`
	// DefaultRegion reads caller numbers written without a country code
	// (default US).
	DefaultRegion string `yaml:"default_region"`
	// Pull reconciles through Twilio's REST API what webhooks missed.
	Pull VoicePull `yaml:"pull"`
	// Transcriber replaces Twilio's transcription.
	Transcriber Transcriber `yaml:"transcriber"`
}

// VoiceNumber is one number's own greetings.
type VoiceNumber struct {
	Number                string `yaml:"number"` // E.164
	Greeting              string `yaml:"greeting"`
	GreetingURL           string `yaml:"greeting_url"`
	AfterHoursGreeting    string `yaml:"after_hours_greeting"`
	AfterHoursGreetingURL string `yaml:"after_hours_greeting_url"`
}

// VoicePull is the periodic reconciliation of recordings.
type VoicePull struct {
	// Enabled lists the account's recordings every Interval (default 5m)
	// since the last checkpoint less Overlap (default 10m).
	Enabled  bool          `yaml:"enabled"`
	Interval time.Duration `yaml:"interval"`
	Overlap  time.Duration `yaml:"overlap"`
	// Only runs on pull alone: no webhooks are expected (a gateway with no
	// public URL); implies Enabled.
	Only bool `yaml:"only"`
}

// Transcriber is where voicemail is transcribed.
type Transcriber struct {
	// Kind is twilio (default: Twilio's own transcription), command or http.
	Kind string `yaml:"kind"`
	// Command is run with the recording's audio on standard input and
	// prints the transcript (Kind command).
	Command []string `yaml:"command"`
	// URL receives the audio as a POST body and answers the transcript as
	// text/plain (Kind http).
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"` // default 2m
}

// SMTP configures the two kinds of customer email the policy allows.
type SMTP struct {
	Enabled      bool   `yaml:"enabled"`
	Addr         string `yaml:"addr"`
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	Security     string `yaml:"security"` // starttls (default), tls, none (loopback only)
	From         string `yaml:"from"`
	// TLSCAFile names a PEM file of the CA certificates that the relay's
	// certificate must chain to, instead of the system roots: for a relay
	// with a private CA or a self-signed certificate.
	TLSCAFile string `yaml:"tls_ca_file"`
}

// Email shapes the two customer emails (POLICY P1) that SMTP sends.
type Email struct {
	// TemplatesDir holds the operator's templates, acknowledge.txt.tmpl
	// and voicemail_left.txt.tmpl (text/template, each defining "subject"
	// and "body"); a file missing there keeps the embedded default from
	// configs/email. "" uses the defaults; a relative path is relative to
	// the configuration file. An optional <kind>.html.tmpl (html/template,
	// defining "body") adds an HTML part: the email is then
	// multipart/alternative, plain text first.
	TemplatesDir string `yaml:"templates_dir"`
	// AckWindow: a customer gets at most one acknowledgement per window
	// (default 24h); 0s acknowledges every opening of a case.
	AckWindow *time.Duration `yaml:"ack_window"`
}

// DefaultAckWindow is email.ack_window when it is not given.
const DefaultAckWindow = 24 * time.Hour

// Jobs tunes the durable job queue that carries every side effect.
type Jobs struct {
	// PollInterval is how often idle workers look for due jobs (default 1s).
	PollInterval time.Duration `yaml:"poll_interval"`
	// RescueAfter is how long a job may stay running before it is taken as
	// abandoned (its process died) and run again (default 10m). Jobs are
	// idempotent: an SMS or a call is looked up at Twilio before it is sent
	// or placed again.
	RescueAfter time.Duration `yaml:"rescue_after"`
	// Workers is how many jobs (SMS, calls, voicemail ingests) run at once
	// (default 16).
	Workers int `yaml:"workers"`
}

// Calls tunes bridged call-backs and their outcomes.
type Calls struct {
	// MinConversation: a customer leg that talked at least this long is a
	// live conversation (the first contact); shorter is an attempt.
	MinConversation time.Duration `yaml:"min_conversation"`
	// Retry is the wait before each next attempt after no answer, busy,
	// voicemail or a too-short call.
	Retry []time.Duration `yaml:"retry"`
	// MaxAttempts unanswered attempts escalate to the owner's manager.
	MaxAttempts int `yaml:"max_attempts"`
	// AutoCall places the bridged call by itself at the due time and at
	// each retry, instead of reminding the owner by SMS.
	AutoCall bool `yaml:"auto_call"`
	// MaxSnooze caps SNOOZE.
	MaxSnooze time.Duration `yaml:"max_snooze"`
	// RingTimeout is how long each phone rings, in seconds (default 25).
	RingTimeout int `yaml:"ring_timeout"`
}

// Policy tunes the routing rules; zero values keep POLICY.md's defaults.
type Policy struct {
	SLA            map[string]time.Duration `yaml:"sla"`
	EscalationStep map[string]time.Duration `yaml:"escalation_step"`
	// KeyAccountValue, in the account's currency units, raises priority.
	KeyAccountValue float64       `yaml:"key_account_value"`
	RepeatContacts  int           `yaml:"repeat_contacts"`
	NotifyManagerAt string        `yaml:"notify_manager_at"`
	FollowUpAfter   time.Duration `yaml:"follow_up_after"`
	// DefaultOwner is the email of the staff member who owns cases of
	// unknown senders. Required when staff are configured.
	DefaultOwner string `yaml:"default_owner"`
	// PlaybooksFile overrides the embedded configs/playbooks.yaml.
	PlaybooksFile string `yaml:"playbooks_file"`
	// ReopenWindow: a complaint this soon after its case was resolved
	// reopens that case instead of opening a new one.
	ReopenWindow time.Duration `yaml:"reopen_window"`
	Calls        Calls         `yaml:"calls"`
	P1           P1            `yaml:"p1"`
}

// P1 configures the audit of staff email on complaints (POLICY P1: never
// resolve a complaint by email).
type P1 struct {
	// NotifyManager texts a staff member's manager when that staff
	// member's email breaks P1; nil means true. The violation is recorded
	// on the case either way.
	NotifyManager *bool `yaml:"notify_manager"`
}

// ManagerSMS reports whether a P1 violation is texted to the manager.
func (p P1) ManagerSMS() bool { return p.NotifyManager == nil || *p.NotifyManager }

// NLP configures the analyser.
type NLP struct {
	// Dir overrides the embedded configs/nlp lexicons and weights.
	Dir string `yaml:"dir"`
}

// Staff is one staff member.
type Staff struct {
	Name     string   `yaml:"name"`
	Email    string   `yaml:"email"`
	Phone    string   `yaml:"phone"` // E.164
	Role     string   `yaml:"role"`  // agent, manager, director, admin, qa
	Manager  string   `yaml:"manager"`
	TimeZone string   `yaml:"time_zone"`
	Hours    string   `yaml:"hours"`
	Aliases  []string `yaml:"aliases"`
	// PasswordHash is the dashboard login's bcrypt hash (make one with
	// `triage staff hash-password`). Empty leaves the stored login alone:
	// set it with `triage staff set-password EMAIL` or in the dashboard.
	PasswordHash string `yaml:"password_hash"`
}

// Customer is one entry of CustomersFile.
type Customer struct {
	Ref          string   `yaml:"ref"`
	Name         string   `yaml:"name"`
	Company      string   `yaml:"company"`
	Tier         string   `yaml:"tier"` // key, standard
	AccountValue float64  `yaml:"account_value"`
	Owner        string   `yaml:"owner"` // staff email
	Emails       []string `yaml:"emails"`
	Phones       []string `yaml:"phones"`
}

// Default returns the configuration used when no file is given.
func Default() Config {
	var c Config
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.DataDir, "./data")
	if c.Email.AckWindow == nil {
		w := DefaultAckWindow
		c.Email.AckWindow = &w
	}
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "text")
	def(&c.HTTP.Addr, "127.0.0.1:8080")
	if c.HTTP.ShutdownTimeout == 0 {
		c.HTTP.ShutdownTimeout = 15 * time.Second
	}
	def(&c.IMAP.Mailbox, "INBOX")
	def(&c.IMAP.Security, "tls")
	def(&c.IMAP.Lists, ListsIgnore)
	if c.IMAP.PollInterval == 0 {
		c.IMAP.PollInterval = 30 * time.Second
	}
	def(&c.Twilio.APIBaseURL, "https://api.twilio.com")
	def(&c.SMTP.Security, "starttls")
	if c.Jobs.PollInterval == 0 {
		c.Jobs.PollInterval = time.Second
	}
	if c.Jobs.Workers == 0 {
		c.Jobs.Workers = 16
	}
	durDef := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	durDef(&c.Dashboard.SessionIdle, 8*time.Hour)
	durDef(&c.Dashboard.SessionMax, 7*24*time.Hour)
	durDef(&c.Dashboard.LoginWindow, 15*time.Minute)
	durDef(&c.Dashboard.SlotLinkTTL, 72*time.Hour)
	durDef(&c.Dashboard.Targets.Notify, 5*time.Minute)
	durDef(&c.Dashboard.Targets.Conversation, 24*time.Hour)
	durDef(&c.Dashboard.Targets.Resolution, 72*time.Hour)
	if c.Dashboard.LoginAttempts == 0 {
		c.Dashboard.LoginAttempts = 5
	}
	if c.Jobs.RescueAfter == 0 {
		c.Jobs.RescueAfter = 10 * time.Minute
	}
	def(&c.Voice.FinishOnKey, "#")
	def(&c.Voice.DefaultRegion, "US")
	def(&c.Voice.NoTranscriptPriority, "high")
	def(&c.Voice.Transcriber.Kind, "twilio")
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{
		{&c.Voice.MaxLength, 3 * time.Minute}, {&c.Voice.DialTimeout, 20 * time.Second},
		{&c.Voice.TranscriptWait, 3 * time.Minute}, {&c.Voice.Pull.Interval, 5 * time.Minute},
		{&c.Voice.Pull.Overlap, 10 * time.Minute}, {&c.Voice.Transcriber.Timeout, 2 * time.Minute},
	} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	if c.Policy.Calls.RingTimeout == 0 {
		c.Policy.Calls.RingTimeout = 25
	}
}

// Load reads the file at path; see Parse.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(bytes.NewReader(b))
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	if c.CustomersFile != "" && !filepath.IsAbs(c.CustomersFile) {
		c.CustomersFile = filepath.Join(filepath.Dir(path), c.CustomersFile)
	}
	if c.Email.TemplatesDir != "" && !filepath.IsAbs(c.Email.TemplatesDir) {
		c.Email.TemplatesDir = filepath.Join(filepath.Dir(path), c.Email.TemplatesDir)
	}
	return c, nil
}

// Parse decodes YAML, refusing unknown keys, resolves secrets, applies
// defaults and validates.
func Parse(r io.Reader) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("parse: %w", err)
	}
	c.applyDefaults()
	if err := errors.Join(c.resolveSecrets(), c.Validate()); err != nil {
		return Config{}, err
	}
	return c, nil
}
