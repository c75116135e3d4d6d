package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
)

// apiClient is the client.BaseClient twilio-go gets for one call: its own
// client.Client, building and authenticating the request as usual, with the
// URL's scheme and host rewritten to Config.APIBaseURL's.
type apiClient struct {
	client.Client
	base *url.URL
}

// newAPIClient returns an apiClient that sends with hc as username:password
// on behalf of accountSID.
func newAPIClient(base *url.URL, hc *http.Client, accountSID, username, password string) *apiClient {
	c := &apiClient{
		Client: client.Client{
			Credentials:         client.NewCredentials(username, password),
			HTTPClient:          hc,
			UserAgentExtensions: []string{"triage-gateway"},
		},
		base: base,
	}
	c.SetAccountSid(accountSID)
	return c
}

// SendRequest implements client.BaseClient.
func (c *apiClient) SendRequest(method, rawURL string, data url.Values,
	headers map[string]interface{}, body ...byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse request url: %w", err)
	}
	u.Scheme, u.Host = c.base.Scheme, c.base.Host
	return c.Client.SendRequest(method, u.String(), data, headers, body...)
}

// callTransport carries one call's context into every request twilio-go
// makes (it builds them with context.Background), so that cancelling the
// call aborts the request on the wire. It also notes what came back, which
// twilio-go does not report when an error body cannot be decoded.
type callTransport struct {
	ctx   context.Context
	next  http.RoundTripper
	reply reply
}

// reply is what a callTransport saw of the last HTTP response.
type reply struct {
	status     int
	retryAfter time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.reply = reply{status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	}
	return resp, err
}
