package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"slices"

	"github.com/twilio/twilio-go/client"
)

// SignatureHeader is the HTTP header that carries Twilio's request signature.
const SignatureHeader = "X-Twilio-Signature"

// ValidateSignature reports whether signature (the X-Twilio-Signature
// header) is what Twilio computes with authToken for a POST to fullURL, the
// public URL Twilio called including any query, with the parsed POST form.
//
// It uses twilio-go's client.NewRequestValidator, which also accepts the URL
// with or without its default port, and falls back to comparing with Sign
// for the URL exactly as given (twilio-go re-serialises the URL, which can
// change its escaping) and for forms that repeat a parameter (twilio-go takes
// one value per parameter; Twilio's webhooks send each once).
func ValidateSignature(authToken, fullURL string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	params := make(map[string]string, len(form))
	repeated := false
	for name, values := range form {
		switch len(values) {
		case 0:
		case 1:
			params[name] = values[0]
		default:
			repeated = true
		}
	}
	if !repeated {
		validator := client.NewRequestValidator(authToken)
		if validator.Validate(fullURL, params, signature) {
			return true
		}
	}
	want := Sign(authToken, fullURL, form)
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

// Sign computes the X-Twilio-Signature Twilio would send for a POST of form
// to fullURL: the base64 HMAC-SHA1, keyed with authToken, of fullURL followed
// by each parameter's name and value, sorted by name (a repeated parameter
// contributes each distinct value, sorted, as Twilio's own libraries do).
// It is for tests and stand-ins; webhook handlers use ValidateSignature.
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
