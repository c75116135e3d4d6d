package main

import (
	"crypto/rand"
	"encoding/hex"
)

// randomHex returns n random bytes as hex, for throw-away demo secrets.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
