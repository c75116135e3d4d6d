package twilio

import (
	"errors"
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalidNumber is wrapped by every error about a phone number that cannot
// be read or that no network would route.
var ErrInvalidNumber = errors.New("invalid phone number")

// NormalizeE164 reads a phone number as people and systems write it
// ("(415) 555-2671", "+1 415-555-2671") and returns it in E.164 form
// ("+14155552671"). A number without a leading "+" is read in region, an
// ISO 3166-1 code such as "US"; with region empty such a number is refused.
// The number must be valid, not merely well formed, for its region.
func NormalizeE164(number, region string) (string, error) {
	n, err := phonenumbers.Parse(number, region)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrInvalidNumber, number, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%w %q: no such number in its numbering plan", ErrInvalidNumber, number)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
