// Package cafile reads a PEM file of CA certificates that a channel's
// client trusts for a server with a private CA (imap.tls_ca_file,
// smtp.tls_ca_file).
package cafile

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// maxSize bounds what Load reads: a bundle of every public root is about
// 250 KB.
const maxSize = 4 << 20

// ErrNoCertificate says that a CA file holds no PEM certificate.
var ErrNoCertificate = errors.New("no PEM CERTIFICATE block")

// Load reads the PEM file at path and returns a pool of its CA
// certificates. It fails when the file cannot be read, is larger than a CA
// bundle needs, holds a CERTIFICATE block that does not parse, or holds no
// certificate at all.
func Load(path string) (*x509.CertPool, error) {
	return addTo(x509.NewCertPool(), path)
}

// Trust returns a copy of base (nil means an empty configuration) that
// trusts the certificates of the PEM file at path: in addition to
// base.RootCAs when it is set, else instead of the system roots.
func Trust(base *tls.Config, path string) (*tls.Config, error) {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	pool := x509.NewCertPool()
	if cfg.RootCAs != nil {
		pool = cfg.RootCAs.Clone()
	}
	pool, err := addTo(pool, path)
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// addTo adds the certificates of the PEM file at path to pool.
func addTo(pool *x509.CertPool, path string) (*x509.CertPool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	if fi.Size() > maxSize {
		return nil, fmt.Errorf("read CA file %s: %d bytes, more than the %d a CA bundle needs", path, fi.Size(), maxSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	found := false
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("read CA file %s: PEM block %d: %w", path, n, err)
		}
		pool.AddCert(c)
		found = true
	}
	if !found {
		return nil, fmt.Errorf("read CA file %s: %w", path, ErrNoCertificate)
	}
	return pool, nil
}
