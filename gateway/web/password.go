package web

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules: long enough to resist guessing, short enough for bcrypt
// (which reads at most 72 bytes).
const (
	MinPasswordLength = 12
	maxPasswordBytes  = 72
)

// bcryptCost is the work factor of new hashes (about 50-100 ms on a
// server core).
const bcryptCost = 12

// HashPassword checks a new password against the rules and returns its
// bcrypt hash.
func HashPassword(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return "", fmt.Errorf("password too short: %d characters, want at least %d", n, MinPasswordLength)
	}
	if len(password) > maxPasswordBytes {
		return "", fmt.Errorf("password too long: %d bytes, at most %d", len(password), maxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash. An empty or
// malformed hash matches nothing.
func CheckPassword(hash, password string) bool {
	if hash == "" || len(password) > maxPasswordBytes {
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return err == nil
}

// ValidHash reports whether hash is a bcrypt hash (a configured
// password_hash is checked with it at start).
func ValidHash(hash string) error {
	if _, err := bcrypt.Cost([]byte(hash)); err != nil {
		return errors.New("not a bcrypt hash")
	}
	return nil
}
