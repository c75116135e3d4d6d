package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
)

// Sign computes the X-Twilio-Signature Twilio sends with a POST of form to
// fullURL: the base64 HMAC-SHA1, keyed with authToken, of fullURL followed by
// each parameter's name and value, sorted by name (a repeated parameter
// contributes each distinct value, sorted, as Twilio's own libraries do).
//
// twilio-go only checks signatures (client.NewRequestValidator); the
// stand-in and the tests need to make them, as Twilio does. The gateway
// never calls this: its webhooks check with twilio.ValidateSignature.
func Sign(authToken, fullURL string, form url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := slices.Clone(form[name])
		slices.Sort(values)
		for _, v := range slices.Compact(values) {
			mac.Write([]byte(name))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
