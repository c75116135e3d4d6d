package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// The vector twilio-go checks its validator with (client/request_validator_test.go):
// auth token "12345", this URL and these parameters.
const (
	vectorToken     = "12345"
	vectorURL       = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vectorSignature = "vOEb5UThFn24KEfnOFLQY2AE5FY="
)

func vectorForm() url.Values {
	return url.Values{
		"Digits":                {"1234"},
		"CallSid":               {"CA1234567890ABCDE"},
		"To":                    {"+18005551212"},
		"Caller":                {"+14158675309"},
		"From":                  {"+14158675309"},
		"ReasonConferenceEnded": {"test"},
		"Reason":                {"Participant"},
	}
}

func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	if got := twiliotest.Sign(vectorToken, vectorURL, vectorForm()); got != vectorSignature {
		t.Errorf("Sign(vector) = %q, want %q", got, vectorSignature)
	}
	if !twilio.ValidateSignature(vectorToken, vectorURL, vectorForm(), vectorSignature) {
		t.Errorf("ValidateSignature(vector, %q) = false, want true", vectorSignature)
	}
}

func TestSignMatchesHandComputedHMAC(t *testing.T) {
	t.Parallel()
	form := url.Values{"To": {"+14155550100"}, "Body": {"Hi & bye"}, "From": {"+14155552671"}}
	fullURL := "https://triage.example.com/webhooks/twilio/sms?tenant=7"
	// Written out by hand: the URL, then name+value sorted by name.
	data := fullURL + "BodyHi & bye" + "From+14155552671" + "To+14155550100"
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(data))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := twiliotest.Sign(authToken, fullURL, form); got != want {
		t.Errorf("Sign() = %q, want %q (HMAC-SHA1 of %q)", got, want, data)
	}
}

func TestValidateSignatureRefusesTampering(t *testing.T) {
	t.Parallel()
	fullURL := "https://triage.example.com/webhooks/twilio/sms"
	form := url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "Body": {"refund please"}, "From": {"+14155552671"}}
	sig := twiliotest.Sign(authToken, fullURL, form)
	if !twilio.ValidateSignature(authToken, fullURL, form, sig) {
		t.Fatalf("ValidateSignature(Sign()) = false, want true")
	}
	if !twilio.ValidateSignature(authToken, "https://triage.example.com:443/webhooks/twilio/sms", form, sig) {
		t.Errorf("ValidateSignature() with the default port written out = false, want true (twilio-go allows it)")
	}

	changed := func(name, value string) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(name, value)
		return f
	}
	tests := []struct {
		name      string
		token     string
		url       string
		form      url.Values
		signature string
	}{
		{"changed parameter", authToken, fullURL, changed("Body", "refund now"), sig},
		{"added parameter", authToken, fullURL, changed("NumMedia", "0"), sig},
		{"other URL", authToken, "https://triage.example.com/webhooks/twilio/voice", form, sig},
		{"other query", authToken, fullURL + "?x=1", form, sig},
		{"other token", "othertoken", fullURL, form, sig},
		{"no signature", authToken, fullURL, form, ""},
		{"no token", "", fullURL, form, twiliotest.Sign("", fullURL, form)},
		{"garbage", authToken, fullURL, form, "not base64"},
	}
	for _, tt := range tests {
		if twilio.ValidateSignature(tt.token, tt.url, tt.form, tt.signature) {
			t.Errorf("ValidateSignature() with %s = true, want false", tt.name)
		}
	}
}

func TestValidateSignatureRefusesRepeatedParameter(t *testing.T) {
	t.Parallel()
	fullURL := "https://triage.example.com/hook"
	form := url.Values{"MediaUrl": {"https://b.example/2", "https://a.example/1"}, "To": {"+14155550100"}}
	sig := twiliotest.Sign(authToken, fullURL, form)
	if twilio.ValidateSignature(authToken, fullURL, form, sig) {
		t.Errorf("ValidateSignature() with a repeated parameter = true, want false (Twilio sends each once; the validator reads one)")
	}
}
