package imap

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/triage-gw/triage/channels/internal/cafile"
)

// LoadCAFile reads the PEM file at path and returns a pool of its CA
// certificates (see Config.CAFile); it fails on an unreadable file, a
// certificate that does not parse, or no certificate at all.
func LoadCAFile(path string) (*x509.CertPool, error) { return cafile.Load(path) }

// withCAFile returns a copy of base that also trusts the CA file at path.
func withCAFile(base *tls.Config, path string) (*tls.Config, error) { return cafile.Trust(base, path) }
