package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
	serviceSID = "MG0123456789abcdef0123456789abcdef"
	apiKeySID  = "SK0123456789abcdef0123456789abcdef"
	sender     = "+14155550100"
	callback   = "https://triage.example.com/webhooks/twilio/status"
)

// setup starts a stand-in and returns it with a Config pointing at it.
func setup(t *testing.T) (*twiliotest.Server, twilio.Config) {
	t.Helper()
	srv := twiliotest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	return srv, config(srv.URL())
}

// setupAPI starts an httptest server that answers with h in place of the
// stand-in, and returns a Config pointing at it.
func setupAPI(t *testing.T, h http.HandlerFunc) twilio.Config {
	t.Helper()
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	return config(api.URL)
}

// config is a valid Config for the REST API at baseURL.
func config(baseURL string) twilio.Config {
	return twilio.Config{
		AccountSID:        accountSID,
		AuthToken:         authToken,
		From:              sender,
		APIBaseURL:        baseURL,
		StatusCallbackURL: callback,
	}
}

func newClient(t *testing.T, cfg twilio.Config) *twilio.Client {
	t.Helper()
	c, err := twilio.New(cfg, nil)
	if err != nil {
		t.Fatalf("New(%v) = %v, want nil", cfg, err)
	}
	return c
}

// asError returns err's *twilio.Error, failing the test if there is none.
func asError(t *testing.T, err error) *twilio.Error {
	t.Helper()
	var e *twilio.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want a *twilio.Error", err, err)
	}
	return e
}

func TestSendSMSDeliversToTwilio(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	c := newClient(t, cfg)

	res, err := c.SendSMS(t.Context(), twilio.SMS{To: "(415) 555-2671", Body: "Call-back due 14:30 — Ana, order 4411"})
	if err != nil {
		t.Fatalf("SendSMS() = %v, want nil", err)
	}
	if !strings.HasPrefix(res.SID, "SM") || len(res.SID) != 34 || res.Status != "queued" {
		t.Errorf("SendSMS() = %+v, want an SM sid of 34 characters and status queued", res)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("stand-in got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	want := twiliotest.Message{
		SID: res.SID, AccountSID: accountSID, To: "+14155552671", From: sender,
		Body: "Call-back due 14:30 — Ana, order 4411", StatusCallback: callback,
		Status: "queued", Username: accountSID, Created: got.Created,
	}
	if got != want {
		t.Errorf("stand-in got %+v\nwant %+v", got, want)
	}
}

func TestSendSMSThroughMessagingServiceWithAPIKey(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	srv.AddAPIKey(apiKeySID, "keysecret42")
	cfg.From, cfg.MessagingServiceSID = "", serviceSID
	cfg.APIKeySID, cfg.APIKeySecret = apiKeySID, "keysecret42"
	c := newClient(t, cfg)

	res, err := c.SendSMS(t.Context(), twilio.SMS{To: "+442071838750", Body: "hello"})
	if err != nil {
		t.Fatalf("SendSMS() = %v, want nil", err)
	}
	if res.Status != "accepted" {
		t.Errorf("SendSMS() status = %q, want accepted (a service picks the sender)", res.Status)
	}
	got := srv.Messages()[0]
	if got.MessagingServiceSID != serviceSID || got.From != "" || got.Username != apiKeySID {
		t.Errorf("stand-in got service %q, from %q, user %q; want %q, empty, %q",
			got.MessagingServiceSID, got.From, got.Username, serviceSID, apiKeySID)
	}
}

func TestSendSMSClientErrorsArePermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		prepare      func(*twiliotest.Server, *twilio.Config)
		status, code int
	}{
		{"unsubscribed recipient", func(s *twiliotest.Server, _ *twilio.Config) { s.Unsubscribe("+14155552671") }, 400, 21610},
		{"wrong auth token", func(_ *twiliotest.Server, c *twilio.Config) { c.AuthToken = "wrongtoken" }, 401, 20003},
		{"other account", func(_ *twiliotest.Server, c *twilio.Config) {
			c.AccountSID = "ACffffffffffffffffffffffffffffffff"
		}, 401, 20003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			tt.prepare(srv, &cfg)
			_, err := newClient(t, cfg).SendSMS(t.Context(), twilio.SMS{To: "+14155552671", Body: "hi"})
			e := asError(t, err)
			if e.Status != tt.status || e.Code != tt.code || !twilio.IsPermanent(err) {
				t.Errorf("SendSMS() = %v; want status %d, code %d, permanent", err, tt.status, tt.code)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("stand-in recorded %d messages, want 0", n)
			}
		})
	}
}

func TestSendSMSServerErrorsAreRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, code int
		retryAfter   time.Duration
	}{
		{http.StatusInternalServerError, 20500, 0},
		{http.StatusServiceUnavailable, 20503, 0},
		{http.StatusTooManyRequests, 20429, time.Second},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			srv.FailNext(1, tt.status)
			c := newClient(t, cfg)
			sms := twilio.SMS{To: "+14155552671", Body: "hi"}

			_, err := c.SendSMS(t.Context(), sms)
			e := asError(t, err)
			if e.Status != tt.status || e.Code != tt.code || e.RetryAfter != tt.retryAfter || twilio.IsPermanent(err) {
				t.Errorf("SendSMS() = %v (retry after %v); want status %d, code %d, retry after %v, retryable",
					err, e.RetryAfter, tt.status, tt.code, tt.retryAfter)
			}
			if _, err := c.SendSMS(t.Context(), sms); err != nil {
				t.Errorf("second SendSMS() = %v, want nil once the failure has passed", err)
			}
		})
	}
}

func TestSendSMSNetworkErrorIsRetryable(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	srv.Close() // nothing listens on the port any more
	_, err := newClient(t, cfg).SendSMS(t.Context(), twilio.SMS{To: "+14155552671", Body: "hi"})
	if e := asError(t, err); e.Status != 0 || twilio.IsPermanent(err) {
		t.Errorf("SendSMS() to a closed port = %v; want status 0, retryable", err)
	}
}

func TestSendSMSRefusesBadInputLocally(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sms  twilio.SMS
	}{
		{"unreadable number", twilio.SMS{To: "call me", Body: "hi"}},
		{"too short number", twilio.SMS{To: "12345", Body: "hi"}},
		{"empty body", twilio.SMS{To: "+14155552671"}},
		{"body over 1600 characters", twilio.SMS{To: "+14155552671", Body: strings.Repeat("é", 1601)}},
		{"body not UTF-8", twilio.SMS{To: "+14155552671", Body: "\xff"}},
	}
	srv, cfg := setup(t)
	c := newClient(t, cfg)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.SendSMS(t.Context(), tt.sms)
			if err == nil || !twilio.IsPermanent(err) {
				t.Errorf("SendSMS(%+v) = %v, want a permanent error", tt.sms, err)
			}
		})
	}
	t.Cleanup(func() {
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("stand-in recorded %d messages, want 0", n)
		}
	})
}

func TestSendSMSUnreadableAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"gateway error page", http.StatusBadGateway, "<html>bad gateway</html>", false},
		{"client error page", http.StatusBadRequest, "<html>bad request</html>", true},
		{"created but garbled", http.StatusCreated, "{not json", true}, // may have been sent: never retry
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, err := newClient(t, cfg).SendSMS(t.Context(), twilio.SMS{To: "+14155552671", Body: "hi"})
			if e := asError(t, err); e.Status != tt.status || e.Permanent != tt.permanent {
				t.Errorf("SendSMS() answered %d %q = %v; want status %d, permanent %v",
					tt.status, tt.body, err, tt.status, tt.permanent)
			}
		})
	}
}

func TestSendSMSHonoursContext(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	cfg := setupAPI(t, func(_ http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // the server notices a closed connection only once the body is read
		close(arrived)
		<-r.Context().Done() // hold the request until the client gives up
	})
	c := newClient(t, cfg)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.SendSMS(ctx, twilio.SMS{To: "+14155552671", Body: "hi"})
		done <- err
	}()
	<-arrived
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) {
		t.Errorf("SendSMS() cancelled in flight = %v; want context.Canceled, retryable", err)
	}

	_, err = c.SendSMS(ctx, twilio.SMS{To: "+14155552671", Body: "hi"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("SendSMS() with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken}, nil)
	var ce *twilio.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("New() without From or MessagingServiceSID = %v, want a *ConfigError", err)
	}
}
