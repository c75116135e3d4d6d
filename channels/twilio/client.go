package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	twilio "github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// DefaultTimeout bounds one API call when the http.Client given to New has
// no Timeout of its own.
const DefaultTimeout = 30 * time.Second

// maxBodyChars is Twilio's limit on a message body (error 21617).
const maxBodyChars = 1600

// Client sends SMS through Twilio's REST API. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	username  string
	password  string
	transport http.RoundTripper
	redirect  func(*http.Request, []*http.Request) error
	jar       http.CookieJar
	timeout   time.Duration
}

// New checks cfg and returns a Client that sends with httpClient's
// transport, cookie jar and redirect policy. A nil httpClient means
// http.DefaultTransport without redirects. httpClient's Timeout, or
// DefaultTimeout if it has none, bounds each call.
func New(cfg Config, httpClient *http.Client) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.APIBaseURL == "" {
		cfg.APIBaseURL = DefaultAPIBaseURL
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = DefaultRegion
	}
	base, err := parseBaseURL(cfg.APIBaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse api base url: %w", err)
	}
	c := &Client{
		cfg:       cfg,
		base:      base,
		username:  cfg.AccountSID,
		password:  cfg.AuthToken,
		transport: http.DefaultTransport,
		redirect:  noRedirect,
		timeout:   DefaultTimeout,
	}
	if cfg.APIKeySID != "" {
		c.username, c.password = cfg.APIKeySID, cfg.APIKeySecret
	}
	if httpClient != nil {
		if httpClient.Transport != nil {
			c.transport = httpClient.Transport
		}
		if httpClient.Timeout > 0 {
			c.timeout = httpClient.Timeout
		}
		c.redirect, c.jar = httpClient.CheckRedirect, httpClient.Jar
	}
	return c, nil
}

// noRedirect is twilio-go's own redirect policy: answer with the redirect.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// SMS is one text message to send.
type SMS struct {
	// To is the recipient. E.164 is best; national formats are read in
	// Config.DefaultRegion.
	To string
	// Body is the text, at most 1600 characters.
	Body string
}

// SendResult is what Twilio answered about a message it accepted.
type SendResult struct {
	// SID identifies the message ("SM..."); status callbacks carry it.
	SID string
	// Status is the message's first status, usually "queued" or "accepted".
	Status string
}

// SendSMS asks Twilio to send m and returns the message's SID. Errors are
// *Error; IsPermanent tells whether sending again can succeed.
//
// twilio-go has no context support. SendSMS gives it, for this call only, an
// http.Client sharing the configured transport (and so its connection pool)
// whose RoundTripper attaches ctx to the request: cancelling ctx aborts the
// request on the wire, and no goroutine outlives the call. Twilio may still
// have accepted a request that was cancelled in flight.
func (c *Client) SendSMS(ctx context.Context, m SMS) (SendResult, error) {
	params, err := c.messageParams(m)
	if err != nil {
		return SendResult{}, fmt.Errorf("send sms: %w", err)
	}
	var msg *openapi.ApiV2010Message
	status, err := c.request(ctx, "not sent", apiError, func(api *openapi.ApiService) (err error) {
		msg, err = api.CreateMessage(params)
		return err
	})
	if err != nil {
		return SendResult{}, fmt.Errorf("send sms to %s: %w", *params.To, err)
	}
	res := SendResult{SID: deref(msg.Sid), Status: deref(msg.Status)}
	if res.SID == "" {
		return SendResult{}, fmt.Errorf("send sms to %s: %w", *params.To, withoutSID(status, "message", "the message may have been sent"))
	}
	return res, nil
}

// request makes one request to Twilio's REST API: fn calls twilio-go's
// API with a client that carries ctx on the wire, bounded by the
// configured timeout. A ctx that has already ended is refused before
// anything is sent, with a retryable *Error whose Message is refused. What
// fn returns is mapped to an *Error by mapErr, which also gets what the
// transport saw of the answer. request returns the answer's HTTP status, 0
// if none came.
func (c *Client) request(ctx context.Context, refused string, mapErr func(error, reply) *Error,
	fn func(*openapi.ApiService) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, &Error{Message: refused, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	rest, transport := c.rest(ctx)
	if err := fn(rest.Api); err != nil {
		return transport.reply.status, mapErr(err, transport.reply)
	}
	return transport.reply.status, nil
}

// withoutSID is the permanent *Error for a create that Twilio answered
// with status but without the new resource's SID: the resource may exist,
// so the request must not be repeated. resource names it ("message") and
// effect says what may have happened ("the message may have been sent").
func withoutSID(status int, resource, effect string) *Error {
	return &Error{
		Status: status, Permanent: true,
		Message: "accepted without a " + resource + " sid; " + effect,
	}
}

// rest returns a twilio-go client for one call: it shares the configured
// transport (and so its connection pool), and its callTransport attaches ctx
// to every request and notes the last answer.
func (c *Client) rest(ctx context.Context) (*twilio.RestClient, *callTransport) {
	transport := &callTransport{ctx: ctx, next: c.transport}
	hc := &http.Client{Transport: transport, CheckRedirect: c.redirect, Jar: c.jar}
	return twilio.NewRestClientWithParams(twilio.ClientParams{
		Username:   c.username,
		Password:   c.password,
		AccountSid: c.cfg.AccountSID,
		Client:     newAPIClient(c.base, hc, c.cfg.AccountSID, c.username, c.password),
	}), transport
}

// messageParams checks m and turns it into twilio-go's request parameters.
// Problems with m are permanent *Errors.
func (c *Client) messageParams(m SMS) (*openapi.CreateMessageParams, error) {
	to, err := NormalizeE164(m.To, c.cfg.DefaultRegion)
	if err != nil {
		return nil, &Error{Message: "recipient refused", Permanent: true, Err: err}
	}
	switch n := utf8.RuneCountInString(m.Body); {
	case !utf8.ValidString(m.Body):
		return nil, &Error{Message: "message body is not valid UTF-8", Permanent: true}
	case n == 0:
		return nil, &Error{Message: "message body is empty", Permanent: true}
	case n > maxBodyChars:
		return nil, &Error{Message: fmt.Sprintf("message body has %d characters, more than %d", n, maxBodyChars), Permanent: true}
	}
	params := &openapi.CreateMessageParams{}
	params.SetTo(to)
	params.SetBody(m.Body)
	if c.cfg.From != "" {
		params.SetFrom(c.cfg.From)
	}
	if c.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(c.cfg.MessagingServiceSID)
	}
	if c.cfg.StatusCallbackURL != "" {
		params.SetStatusCallback(c.cfg.StatusCallbackURL)
	}
	return params, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
