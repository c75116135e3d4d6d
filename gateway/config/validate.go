package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/routing"
)

// validPhone reports whether s is a valid number already in E.164 form.
func validPhone(s string) bool {
	n, err := twilio.NormalizeE164(s, "")
	return err == nil && n == s
}

// resolveSecrets reads *_file secrets and checks referenced variables, for
// the channels that are enabled: a channel that is off needs no secret.
func (c *Config) resolveSecrets() error {
	var errs []error
	if c.IMAP.Enabled {
		errs = append(errs, c.IMAP.Password.resolve("imap.password", c.IMAP.PasswordFile))
	}
	if c.Twilio.Enabled {
		errs = append(errs, c.Twilio.AuthToken.resolve("twilio.auth_token", c.Twilio.AuthTokenFile))
	}
	if c.SMTP.Enabled {
		errs = append(errs, c.SMTP.Password.resolve("smtp.password", c.SMTP.PasswordFile))
	}
	if c.Dashboard.LinkSecret.from != "" || c.Dashboard.LinkSecretFile != "" {
		errs = append(errs, c.Dashboard.LinkSecret.resolve("dashboard.link_secret", c.Dashboard.LinkSecretFile))
	}
	if c.Metrics.Token.from != "" || c.Metrics.TokenFile != "" {
		errs = append(errs, c.Metrics.Token.resolve("metrics.token", c.Metrics.TokenFile))
	}
	if c.Database.URLFile != "" {
		if c.Database.URL != "" {
			errs = append(errs, errors.New("database.url: give either database.url or database.url_file, not both"))
		} else {
			var s Secret
			if err := s.resolve("database.url", c.Database.URLFile); err != nil {
				errs = append(errs, err)
			}
			c.Database.URL = s.Value()
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	oneOf := func(key, v string, allowed ...string) {
		if !slices.Contains(allowed, v) {
			bad(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf("log.format", c.Log.Format, "text", "json")
	if u := c.Database.URL; u != "" && !strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database.url", "want empty (SQLite under data_dir), sqlite:PATH or postgres://...")
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		bad("http.addr", "%v", err)
	}
	if c.HTTP.PublicURL != "" {
		if u, err := url.Parse(c.HTTP.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("http.public_url", "want an absolute http(s) URL")
		}
	}
	if c.IMAP.Lists != "" && c.IMAP.Lists != ListsIgnore && c.IMAP.Lists != ListsCustomer {
		bad("imap.lists", "%q: want %s or %s", c.IMAP.Lists, ListsIgnore, ListsCustomer)
	}
	if c.IMAP.Enabled {
		checkServer(bad, "imap", c.IMAP.Addr, c.IMAP.Security, "tls", "starttls", "none")
		if c.IMAP.Username == "" {
			bad("imap.username", "required when imap.enabled")
		}
		if !c.IMAP.Password.IsSet() {
			bad("imap.password", "required when imap.enabled (\"${ENV_VAR}\" or imap.password_file)")
		}
		if c.IMAP.PollInterval < time.Second {
			bad("imap.poll_interval", "must be at least 1s")
		}
		if c.IMAP.SentMailbox != "" && strings.EqualFold(c.IMAP.SentMailbox, c.IMAP.Mailbox) {
			bad("imap.sent_mailbox", "is imap.mailbox (%q): staff mail would be read as customer mail", c.IMAP.Mailbox)
		}
		for i, f := range c.IMAP.Forwarders {
			if a, err := mail.ParseAddress(f); err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
				bad(fmt.Sprintf("imap.forwarders[%d]", i), "%q is not a bare email address", f)
			}
		}
		if c.IMAP.CAFile != "" {
			if c.IMAP.Security == "none" {
				bad("imap.tls_ca_file", "is set, but imap.security is none: there is no certificate to check")
			} else if _, err := imap.LoadCAFile(c.IMAP.CAFile); err != nil {
				bad("imap.tls_ca_file", "%v", err)
			}
		}
	}
	if c.Twilio.Enabled {
		if !strings.HasPrefix(c.Twilio.AccountSID, "AC") || len(c.Twilio.AccountSID) != 34 {
			bad("twilio.account_sid", "want AC followed by 32 hex digits")
		}
		if !c.Twilio.AuthToken.IsSet() {
			bad("twilio.auth_token", "required when twilio.enabled (\"${ENV_VAR}\" or twilio.auth_token_file)")
		} else if !alphanumeric(c.Twilio.AuthToken.Value()) {
			bad("twilio.auth_token", "must be letters and digits only, as Twilio's auth tokens are")
		}
		if c.Twilio.From == "" && c.Twilio.MessagingServiceSID == "" {
			bad("twilio.from", "required (or twilio.messaging_service_sid) when twilio.enabled")
		} else if c.Twilio.From != "" && !validPhone(c.Twilio.From) {
			bad("twilio.from", "%q is not a valid E.164 number like +14155552671", c.Twilio.From)
		}
		if u, err := url.Parse(c.Twilio.APIBaseURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			bad("twilio.api_base_url", "want an absolute https URL")
		} else if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			bad("twilio.api_base_url", "plain http is allowed only for a loopback host (a local stand-in), not %q: the auth token must never cross a network in clear", u.Hostname())
		}
		if c.HTTP.PublicURL == "" && !c.Voice.Pull.Only {
			bad("http.public_url", "required when twilio.enabled (unless voice.pull.only): Twilio's webhooks reach the gateway there, and their signatures are checked against it")
		}
	}
	c.validateVoice(bad)
	if c.SMTP.Enabled {
		checkServer(bad, "smtp", c.SMTP.Addr, c.SMTP.Security, "starttls", "tls", "none")
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			bad("smtp.from", "%v", err)
		}
		if c.SMTP.TLSCAFile != "" {
			if c.SMTP.Security == "none" {
				bad("smtp.tls_ca_file", "is set, but smtp.security is none: there is no certificate to check")
			} else if _, err := smtp.LoadCAFile(c.SMTP.TLSCAFile); err != nil {
				bad("smtp.tls_ca_file", "%v", err)
			}
		}
	}
	if w := c.Email.AckWindow; w != nil && *w < 0 {
		bad("email.ack_window", "%s is negative; want a duration, or 0 to acknowledge every opening", *w)
	}
	c.validatePolicy(bad)
	c.validateStaff(bad)
	c.validateDashboard(bad)
	return errors.Join(errs...)
}

func (c Config) validateVoice(bad func(string, string, ...any)) {
	v := c.Voice
	if !v.Enabled {
		return
	}
	if !c.Twilio.Enabled {
		bad("voice.enabled", "needs twilio.enabled")
	}
	for key, u := range map[string]string{"voice.greeting_url": v.GreetingURL, "voice.after_hours_greeting_url": v.AfterHoursGreetingURL, "voice.transcriber.url": v.Transcriber.URL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			bad(key, "want an absolute http(s) URL")
		}
	}
	if v.Hours != "" {
		loc, err := time.LoadLocation(v.TimeZone)
		if err != nil {
			bad("voice.time_zone", "%v", err)
		} else if _, err := routing.ParseHours(v.Hours, loc); err != nil {
			bad("voice.hours", "%v", err)
		}
	}
	for i, n := range v.Numbers {
		key := fmt.Sprintf("voice.numbers[%d]", i)
		if !validPhone(n.Number) {
			bad(key+".number", "%q is not a valid E.164 number like +14155552671", n.Number)
		}
		for k, u := range map[string]string{"greeting_url": n.GreetingURL, "after_hours_greeting_url": n.AfterHoursGreetingURL} {
			if p, err := url.Parse(u); u != "" && (err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "") {
				bad(key+"."+k, "want an absolute http(s) URL")
			}
		}
	}
	if v.MaxLength < 5*time.Second || v.MaxLength > 4*time.Hour {
		bad("voice.max_length", "want 5s to 4h")
	}
	if len(v.FinishOnKey) > 1 || (v.FinishOnKey != "" && !strings.ContainsAny(v.FinishOnKey, "0123456789*#")) {
		bad("voice.finish_on_key", "want one of 0-9, * or #")
	}
	staff := map[string]bool{}
	for _, s := range c.Staff {
		staff[strings.ToLower(s.Email)] = true
	}
	for i, e := range v.DialFirst {
		if !staff[strings.ToLower(e)] {
			bad(fmt.Sprintf("voice.dial_first[%d]", i), "%q is not a configured staff email", e)
		}
	}
	if v.TranscriptWait < time.Second {
		bad("voice.transcript_wait", "must be at least 1s")
	}
	if _, err := routing.ParsePriority(v.NoTranscriptPriority); err != nil {
		bad("voice.no_transcript_priority", "%v", err)
	}
	if v.MinPriority != "" {
		if _, err := routing.ParsePriority(v.MinPriority); err != nil {
			bad("voice.min_priority", "%v", err)
		}
	}
	if v.Pull.Interval < time.Second {
		bad("voice.pull.interval", "must be at least 1s")
	}
	if v.Pull.Overlap < 0 {
		bad("voice.pull.overlap", "must not be negative")
	}
	switch v.Transcriber.Kind {
	case "twilio":
	case "command":
		if len(v.Transcriber.Command) == 0 {
			bad("voice.transcriber.command", "required when voice.transcriber.kind is command")
		}
	case "http":
		if v.Transcriber.URL == "" {
			bad("voice.transcriber.url", "required when voice.transcriber.kind is http")
		}
	default:
		bad("voice.transcriber.kind", "%q is not one of twilio, command, http", v.Transcriber.Kind)
	}
}

func checkServer(bad func(string, string, ...any), prefix, addr, security string, allowed ...string) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		bad(prefix+".addr", "want host:port (%v)", err)
	}
	if !slices.Contains(allowed, security) {
		bad(prefix+".security", "%q is not one of %s", security, strings.Join(allowed, ", "))
	}
	if security == "none" && err == nil && !isLoopback(host) {
		bad(prefix+".security", "\"none\" is allowed only for a loopback host, not %q", host)
	}
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) validatePolicy(bad func(string, string, ...any)) {
	for k, d := range c.Policy.SLA {
		if _, err := routing.ParsePriority(k); err != nil || k == string(routing.PriorityLow) {
			bad("policy.sla."+k, "want one of critical, high, normal (low is the next business day)")
		} else if d <= 0 {
			bad("policy.sla."+k, "must be positive")
		}
	}
	for k, d := range c.Policy.EscalationStep {
		if _, err := routing.ParsePriority(k); err != nil {
			bad("policy.escalation_step."+k, "%v", err)
		} else if d <= 0 {
			bad("policy.escalation_step."+k, "must be positive")
		}
	}
	if v := c.Policy.NotifyManagerAt; v != "" {
		if _, err := routing.ParsePriority(v); err != nil {
			bad("policy.notify_manager_at", "%v", err)
		}
	}
	if c.Policy.RepeatContacts < 0 {
		bad("policy.repeat_contacts", "must not be negative")
	}
	if c.Policy.KeyAccountValue < 0 {
		bad("policy.key_account_value", "must not be negative")
	}
	if c.Policy.FollowUpAfter < 0 {
		bad("policy.follow_up_after", "must not be negative")
	}
	if c.Policy.ReopenWindow < 0 {
		bad("policy.reopen_window", "must not be negative")
	}
	calls := c.Policy.Calls
	if calls.MinConversation < 0 {
		bad("policy.calls.min_conversation", "must not be negative")
	}
	for i, d := range calls.Retry {
		if d <= 0 {
			bad(fmt.Sprintf("policy.calls.retry[%d]", i), "must be positive")
		}
	}
	if calls.MaxAttempts < 0 {
		bad("policy.calls.max_attempts", "must not be negative")
	}
	if calls.MaxSnooze < 0 {
		bad("policy.calls.max_snooze", "must not be negative")
	}
	if calls.RingTimeout < 5 || calls.RingTimeout > 600 {
		bad("policy.calls.ring_timeout", "want 5 to 600 seconds")
	}
	if c.Jobs.PollInterval < 50*time.Millisecond {
		bad("jobs.poll_interval", "must be at least 50ms")
	}
	if c.Jobs.Workers < 1 || c.Jobs.Workers > 1000 {
		bad("jobs.workers", "want 1 to 1000")
	}
	if c.Jobs.RescueAfter < time.Second {
		bad("jobs.rescue_after", "must be at least 1s")
	}
	if len(c.Staff) > 0 && c.Policy.DefaultOwner == "" {
		bad("policy.default_owner", "required when staff are configured (a staff email)")
	}
}

func (c Config) validateStaff(bad func(string, string, ...any)) {
	emails := map[string]bool{}
	for _, s := range c.Staff {
		emails[strings.ToLower(s.Email)] = true
	}
	seen := map[string]bool{}
	for i, s := range c.Staff {
		key := fmt.Sprintf("staff[%d]", i)
		if s.Name == "" {
			bad(key+".name", "required")
		}
		e := strings.ToLower(s.Email)
		if _, err := mail.ParseAddress(s.Email); err != nil {
			bad(key+".email", "%v", err)
		} else if seen[e] {
			bad(key+".email", "%q appears twice", s.Email)
		}
		seen[e] = true
		if s.Phone != "" && !validPhone(s.Phone) {
			bad(key+".phone", "%q is not a valid E.164 number like +14155552671", s.Phone)
		}
		if s.Role != "" && !slices.Contains([]string{"agent", "manager", "director", "admin", "qa"}, s.Role) {
			bad(key+".role", "%q is not one of agent, manager, director, admin, qa", s.Role)
		}
		if s.Manager != "" && !emails[strings.ToLower(s.Manager)] {
			bad(key+".manager", "%q is not the email of a configured staff member", s.Manager)
		}
		if loc, err := time.LoadLocation(s.TimeZone); err != nil {
			bad(key+".time_zone", "%v", err)
		} else if _, err := routing.ParseHours(s.Hours, loc); err != nil {
			bad(key+".hours", "%v", err)
		}
	}
	if d := c.Policy.DefaultOwner; d != "" && len(c.Staff) > 0 && !emails[strings.ToLower(d)] {
		bad("policy.default_owner", "%q is not the email of a configured staff member", d)
	}
}

// RoutingPolicy returns the routing policy with this configuration's
// overrides applied to POLICY.md's defaults. DefaultOwnerID and Playbooks
// are filled in by the caller, who knows the staff ids and the playbooks.
func (c Config) RoutingPolicy() routing.Policy {
	p := routing.DefaultPolicy()
	for k, d := range c.Policy.SLA {
		p.SLA[routing.Priority(k)] = d
	}
	for k, d := range c.Policy.EscalationStep {
		p.EscalationStep[routing.Priority(k)] = d
	}
	if c.Policy.KeyAccountValue > 0 {
		p.KeyAccountValueCents = int64(c.Policy.KeyAccountValue * 100)
	}
	if c.Policy.RepeatContacts > 0 {
		p.RepeatContacts = c.Policy.RepeatContacts
	}
	if c.Policy.NotifyManagerAt != "" {
		p.NotifyManagerAt = routing.Priority(c.Policy.NotifyManagerAt)
	}
	if c.Policy.FollowUpAfter > 0 {
		p.FollowUpAfter = c.Policy.FollowUpAfter
	}
	if c.Policy.ReopenWindow > 0 {
		p.ReopenWindow = c.Policy.ReopenWindow
	}
	calls := c.Policy.Calls
	if calls.MinConversation > 0 {
		p.Calls.MinConversation = calls.MinConversation
	}
	if len(calls.Retry) > 0 {
		p.Calls.Retry = slices.Clone(calls.Retry)
	}
	if calls.MaxAttempts > 0 {
		p.Calls.MaxAttempts = calls.MaxAttempts
	}
	if calls.MaxSnooze > 0 {
		p.Calls.MaxSnooze = calls.MaxSnooze
	}
	p.Calls.AutoCall = calls.AutoCall
	if v := c.Voice.NoTranscriptPriority; v != "" {
		p.Voicemail.NoTranscriptPriority = routing.Priority(v)
	}
	p.Voicemail.MinPriority = routing.Priority(c.Voice.MinPriority)
	return p
}

func (c Config) validateDashboard(bad func(string, string, ...any)) {
	d := c.Dashboard
	for key, v := range map[string]time.Duration{"dashboard.session_idle": d.SessionIdle, "dashboard.session_max": d.SessionMax,
		"dashboard.login_window": d.LoginWindow, "dashboard.slot_link_ttl": d.SlotLinkTTL,
		"dashboard.targets.notify": d.Targets.Notify, "dashboard.targets.conversation": d.Targets.Conversation,
		"dashboard.targets.resolution": d.Targets.Resolution} {
		if v < 0 {
			bad(key, "must not be negative")
		}
	}
	if d.SessionIdle > d.SessionMax {
		bad("dashboard.session_idle", "longer than dashboard.session_max (%s)", d.SessionMax)
	}
	if d.LoginAttempts < 0 {
		bad("dashboard.login_attempts", "must not be negative")
	}
	if d.LinkSecret.IsSet() && len(d.LinkSecret.Value()) < 32 {
		bad("dashboard.link_secret", "want at least 32 characters (e.g. `openssl rand -hex 32`)")
	}
	if d.InsecureCookies {
		if host, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil || !isLoopback(host) {
			bad("dashboard.insecure_cookies", "allowed only when http.addr is a loopback address, not %q: a login cookie must not cross a network in clear", c.HTTP.Addr)
		}
	}
	if c.Metrics.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Addr); err != nil {
			bad("metrics.addr", "%v", err)
		}
	}
}
