package gateway

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/triage-gw/triage/channels/twilio"
)

// Webhook paths, under http.public_url. Twilio's number is configured with
// the first two; the call paths are given to Twilio by the gateway itself
// when it places a call.
const (
	PathSMS          = "/twilio/sms"          // a number's messaging webhook: staff's SMS replies
	PathSMSStatus    = "/twilio/sms/status"   // delivery reports of the SMS the gateway sends
	PathVoiceBridge  = "/twilio/voice/bridge" // TwiML when the staff member answers a call-back: the whisper, press 1
	PathVoiceAccept  = "/twilio/voice/accept" // the staff member pressed a key: 1 dials the customer
	PathVoiceStatus  = "/twilio/voice/status" // status callbacks of both legs of a call-back
	PathVoiceDial    = "/twilio/voice/dial"   // the <Dial> action: the customer leg is over
	PathVoiceAMD     = "/twilio/voice/amd"    // answering-machine detection on the customer leg
	maxWebhookBody   = 64 << 10               // Twilio's forms are a few kilobytes
	contentTypeTwiML = "text/xml; charset=utf-8"
)

// webhookHandler is a Twilio webhook after its request passed the checks:
// form is its parsed POST form.
type webhookHandler func(w http.ResponseWriter, r *http.Request, form url.Values)

// twilioWebhook checks a request before h sees it: a POST of at most
// maxWebhookBody bytes, signed by Twilio (X-Twilio-Signature, checked with
// twilio-go's validator against http.public_url and the request's path and
// query), from the configured account. Anything else is refused and changes
// nothing: 403 for a bad or missing signature or another account.
func (g *Gateway) twilioWebhook(h webhookHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		log := g.log.With("path", r.URL.Path, "remote", r.RemoteAddr)
		if g.opts.Twilio.AuthToken == "" || g.opts.PublicURL == "" {
			log.Warn("twilio webhook refused: twilio is not configured (twilio.enabled and http.public_url)")
			http.Error(w, "twilio webhooks are not configured\n", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBody)
		if err := r.ParseForm(); err != nil {
			status := http.StatusBadRequest
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				status = http.StatusRequestEntityTooLarge
			}
			log.Warn("twilio webhook refused: unreadable form", "err", err)
			http.Error(w, "unreadable form\n", status)
			return
		}
		fullURL := strings.TrimRight(g.opts.PublicURL, "/") + r.URL.RequestURI()
		if !twilio.ValidateSignature(g.opts.Twilio.AuthToken, fullURL, r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
			log.Warn("twilio webhook refused: missing or bad signature")
			http.Error(w, "bad signature\n", http.StatusForbidden)
			return
		}
		if sid := r.PostForm.Get("AccountSid"); sid != g.opts.Twilio.AccountSID {
			log.Warn("twilio webhook refused: unknown account", "account_sid", sid)
			http.Error(w, "unknown account\n", http.StatusForbidden)
			return
		}
		h(w, r, r.PostForm)
	}
}

// answerTwiML answers a webhook with doc, or as failed when building it
// failed (err).
func (g *Gateway) answerTwiML(w http.ResponseWriter, r *http.Request, doc string, err error) {
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	writeTwiML(w, doc)
}

// writeTwiML answers a webhook with a TwiML document.
func writeTwiML(w http.ResponseWriter, doc string) {
	w.Header().Set("Content-Type", contentTypeTwiML)
	_, _ = w.Write([]byte(doc))
}

// badWebhook answers a signed webhook whose form lacks what it needs.
func (g *Gateway) badWebhook(w http.ResponseWriter, r *http.Request, err error) {
	g.log.Warn("twilio webhook refused: bad form", "path", r.URL.Path, "err", err)
	http.Error(w, err.Error()+"\n", http.StatusBadRequest)
}

// webhookFailed answers a webhook whose handling failed on our side; Twilio
// may retry it, and its receipt was not recorded, so the retry is handled
// afresh.
func (g *Gateway) webhookFailed(w http.ResponseWriter, r *http.Request, err error) {
	g.log.Error("twilio webhook failed", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error\n", http.StatusInternalServerError)
}
