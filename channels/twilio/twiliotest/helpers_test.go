package twiliotest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	twiliogo "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// standIn is the client.BaseClient that points twilio-go at the stand-in,
// as channels/twilio does: its own client.Client with the URL's scheme and
// host rewritten.
type standIn struct {
	client.Client
	base *url.URL
}

func (c *standIn) SendRequest(method, rawURL string, data url.Values,
	headers map[string]interface{}, body ...byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	u.Scheme, u.Host = c.base.Scheme, c.base.Host
	return c.Client.SendRequest(method, u.String(), data, headers, body...)
}

// api returns twilio-go's API service talking to srv as the account.
func api(t *testing.T, srv *twiliotest.Server) *openapi.ApiService {
	t.Helper()
	base, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatalf("parse %s: %v", srv.URL(), err)
	}
	c := &standIn{Client: client.Client{Credentials: client.NewCredentials(accountSID, authToken)}, base: base}
	c.SetAccountSid(accountSID)
	return twiliogo.NewRestClientWithParams(twiliogo.ClientParams{Client: c}).Api
}

// hit is one request the stand-in made to the gateway.
type hit struct {
	method, path string
	form         url.Values // the POST form, or the query of a GET
	valid        bool       // the signature checked out with twilio.ValidateSignature
}

// reply is what the gateway answers on a path.
type reply struct {
	status int    // 200 when 0
	twiml  string // the body
}

// gateway plays the gateway's webhooks: it answers each path as told
// (200 and an empty body for others) and notes every request. Until gate
// is closed, if not nil, it holds every request.
type gateway struct {
	*httptest.Server
	gate    chan struct{}
	mu      sync.Mutex
	hits    []hit
	replies map[string]reply
}

func newGateway(t *testing.T, gate chan struct{}, replies map[string]reply) *gateway {
	t.Helper()
	g := &gateway{gate: gate, replies: replies}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

// URLOf is the gateway's URL for path.
func (g *gateway) URLOf(path string) string { return g.URL + path }

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	if g.gate != nil {
		select {
		case <-g.gate:
		case <-r.Context().Done():
			return
		}
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fullURL := "http://" + r.Host + r.URL.RequestURI()
	h := hit{method: r.Method, path: r.URL.Path, form: r.PostForm}
	if r.Method == http.MethodGet {
		h.form = r.URL.Query()
		h.valid = twilio.ValidateSignature(authToken, fullURL, url.Values{}, r.Header.Get(twilio.SignatureHeader))
	} else {
		h.valid = twilio.ValidateSignature(authToken, fullURL, r.PostForm, r.Header.Get(twilio.SignatureHeader))
	}
	g.mu.Lock()
	g.hits = append(g.hits, h)
	rep := g.replies[r.URL.Path]
	g.mu.Unlock()
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(rep.status)
	fmt.Fprint(w, rep.twiml)
}

// got returns the requests the gateway answered so far.
func (g *gateway) got() []hit {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]hit(nil), g.hits...)
}

// step is one expected webhook: its path and, for a status callback, the
// call leg ("agent" or "customer") and CallStatus.
type step struct{ path, leg, status string }

func (s step) String() string { return strings.TrimSpace(s.path + " " + s.leg + " " + s.status) }
