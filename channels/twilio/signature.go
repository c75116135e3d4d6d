package twilio

import (
	"net/url"

	"github.com/twilio/twilio-go/client"
)

// SignatureHeader is the HTTP header that carries Twilio's request signature.
const SignatureHeader = "X-Twilio-Signature"

// ValidateSignature reports whether signature (the X-Twilio-Signature
// header) is what Twilio computes with authToken for a POST to fullURL, the
// public URL Twilio called including any query, with the parsed POST form.
//
// The check is twilio-go's client.NewRequestValidator and nothing else (it
// also accepts the URL with or without its default port). Twilio's webhooks
// send each parameter once; a form that repeats a parameter is refused,
// since the validator reads one value per name.
func ValidateSignature(authToken, fullURL string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	params := make(map[string]string, len(form))
	for name, values := range form {
		switch len(values) {
		case 0:
		case 1:
			params[name] = values[0]
		default:
			return false
		}
	}
	validator := client.NewRequestValidator(authToken)
	return validator.Validate(fullURL, params, signature)
}
