package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// The lost answer: Twilio takes the message, the answer does not come back,
// and FindSent finds the message that SendSMS could not confirm.
func TestFindSentFindsMessageWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			srv.AcceptThenFail(1, status)
			c := newClient(t, cfg)
			since := time.Now()
			sms := twilio.SMS{To: "+14155552671", Body: "Call-back due 14:30 — Ana, order 4411"}

			_, err := c.SendSMS(t.Context(), sms)
			if e := asError(t, err); e.Status != status || twilio.IsPermanent(err) {
				t.Fatalf("SendSMS() whose answer is lost = %v; want status %d, retryable", err, status)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || msgs[0].LostAnswer != status {
				t.Fatalf("stand-in recorded %+v, want one message with LostAnswer %d", msgs, status)
			}

			res, found, err := c.FindSent(t.Context(), "(415) 555-2671", sms.Body, since)
			if err != nil || !found || res.SID != msgs[0].SID || res.Status != "queued" {
				t.Errorf("FindSent() = %+v, %v, %v; want %s queued, true, nil", res, found, err, msgs[0].SID)
			}
			lists := srv.Lists()
			if len(lists) != 1 {
				t.Fatalf("stand-in answered %d list requests, want 1", len(lists))
			}
			q := lists[0]
			wantAfter := since.Add(-twilio.ClockSkew).UTC().Truncate(time.Second).Format(time.RFC3339)
			if q.Get("To") != "+14155552671" || q.Get("From") != sender || q.Get("DateSent>") != wantAfter || q.Get("PageSize") != "50" {
				t.Errorf("list query = %v; want To +14155552671, From %s, DateSent> %s, PageSize 50", q, sender, wantAfter)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("stand-in has %d messages after FindSent, want 1 (FindSent sends nothing)", n)
			}
		})
	}
}

// FindSent takes only a message this client would have sent: same
// recipient, same body, same sender, not older than since minus ClockSkew.
func TestFindSentIgnoresOtherMessages(t *testing.T) {
	t.Parallel()
	_, cfg := setup(t)
	c := newClient(t, cfg)
	otherSender := cfg
	otherSender.From = "+14155550101"
	viaService := cfg
	viaService.From, viaService.MessagingServiceSID = "", serviceSID

	const to, body = "+14155552671", "Case 7: call Jane Doe back by 14:30"
	since := time.Now()
	var othersSID string
	for _, s := range []struct {
		cfg twilio.Config
		sms twilio.SMS
	}{
		{cfg, twilio.SMS{To: to, Body: "Case 8: another text"}},
		{cfg, twilio.SMS{To: "+14155552672", Body: body}},
		{otherSender, twilio.SMS{To: to, Body: body}},
	} {
		res, err := newClient(t, s.cfg).SendSMS(t.Context(), s.sms)
		if err != nil {
			t.Fatalf("SendSMS(%+v) from %s = %v, want nil", s.sms, s.cfg.From, err)
		}
		othersSID = res.SID // the last: the other sender's
	}
	if res, found, err := c.FindSent(t.Context(), to, body, since); err != nil || found {
		t.Errorf("FindSent(%s, %q) with only other bodies, recipients and senders = %+v, %v, %v; want not found", to, body, res, found, err)
	}

	sent, err := c.SendSMS(t.Context(), twilio.SMS{To: to, Body: body})
	if err != nil {
		t.Fatalf("SendSMS() = %v, want nil", err)
	}
	tests := []struct {
		name    string
		c       *twilio.Client
		since   time.Time
		wantSID string // "" for not found
	}{
		{"same sender, since before it", c, since, sent.SID},
		{"since within the clock skew after it", c, time.Now().Add(twilio.ClockSkew / 2), sent.SID},
		{"since past the clock skew after it (older message)", c, time.Now().Add(2 * twilio.ClockSkew), ""},
		{"other sender finds its own", newClient(t, otherSender), since, othersSID},
		{"messaging service, messages from numbers", newClient(t, viaService), since, ""},
	}
	for _, tt := range tests {
		res, found, err := tt.c.FindSent(t.Context(), to, body, tt.since)
		if err != nil || found != (tt.wantSID != "") || res.SID != tt.wantSID {
			t.Errorf("%s: FindSent() = %+v, %v, %v; want sid %q, found %v, nil", tt.name, res, found, err, tt.wantSID, tt.wantSID != "")
		}
	}
}

func TestFindSentThroughMessagingService(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	cfg.From, cfg.MessagingServiceSID = "", serviceSID
	c := newClient(t, cfg)
	since := time.Now()
	srv.AcceptThenFail(1, http.StatusBadGateway)
	if _, err := c.SendSMS(t.Context(), twilio.SMS{To: "+442071838750", Body: "hello"}); err == nil {
		t.Fatal("SendSMS() whose answer is lost = nil, want an error")
	}
	res, found, err := c.FindSent(t.Context(), "+442071838750", "hello", since)
	if err != nil || !found || res.SID != srv.Messages()[0].SID || res.Status != "accepted" {
		t.Errorf("FindSent() through a messaging service = %+v, %v, %v; want %s accepted", res, found, err, srv.Messages()[0].SID)
	}
	if q := srv.Lists()[0]; q.Has("From") {
		t.Errorf("list query = %v, want no From filter without a From number", q)
	}
}

func TestFindSentErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		prepare      func(*twiliotest.Server, *twilio.Config)
		status, code int
		permanent    bool
	}{
		{"server error", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNext(1, 500) }, 500, 20500, false},
		{"unavailable", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNext(1, 503) }, 503, 20503, false},
		{"rate limited", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNext(1, 429) }, 429, 20429, false},
		{"wrong auth token", func(_ *twiliotest.Server, c *twilio.Config) { c.AuthToken = "wrongtoken" }, 401, 20003, true},
		{"closed port", func(s *twiliotest.Server, _ *twilio.Config) { s.Close() }, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			tt.prepare(srv, &cfg)
			res, found, err := newClient(t, cfg).FindSent(t.Context(), "+14155552671", "hi", time.Now())
			e := asError(t, err)
			if found || e.Status != tt.status || e.Code != tt.code || twilio.IsPermanent(err) != tt.permanent {
				t.Errorf("FindSent() = %+v, %v, %v; want not found, status %d, code %d, permanent %v",
					res, found, err, tt.status, tt.code, tt.permanent)
			}
		})
	}
}

func TestFindSentRefusesBadNumberLocally(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	_, found, err := newClient(t, cfg).FindSent(t.Context(), "call me", "hi", time.Now())
	if found || !twilio.IsPermanent(err) || !errors.Is(err, twilio.ErrInvalidNumber) {
		t.Errorf("FindSent(\"call me\") = %v, %v; want a permanent ErrInvalidNumber", found, err)
	}
	if n := len(srv.Lists()); n != 0 {
		t.Errorf("stand-in answered %d list requests, want 0", n)
	}
}

func TestFindSentUnreadableAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"gateway error page", http.StatusBadGateway, "<html>bad gateway</html>", false},
		{"client error page", http.StatusBadRequest, "<html>bad request</html>", true},
		{"ok but garbled", http.StatusOK, "{not json", true}, // the same list reads the same
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, _, err := newClient(t, cfg).FindSent(t.Context(), "+14155552671", "hi", time.Now())
			if e := asError(t, err); e.Status != tt.status || e.Permanent != tt.permanent {
				t.Errorf("FindSent() answered %d %q = %v; want status %d, permanent %v",
					tt.status, tt.body, err, tt.status, tt.permanent)
			}
		})
	}
}

func TestFindSentHonoursContext(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	cfg := setupAPI(t, func(_ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // hold the request until the client gives up
	})
	c := newClient(t, cfg)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, _, err := c.FindSent(ctx, "+14155552671", "hi", time.Now())
		done <- err
	}()
	<-arrived
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) {
		t.Errorf("FindSent() cancelled in flight = %v; want context.Canceled, retryable", err)
	}
	if _, _, err := c.FindSent(ctx, "+14155552671", "hi", time.Now()); !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) {
		t.Errorf("FindSent() with a cancelled context = %v; want context.Canceled, retryable", err)
	}
}
