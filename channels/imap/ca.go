package imap

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// maxCAFileSize bounds what LoadCAFile reads: a bundle of every public
// root is about 250 KB.
const maxCAFileSize = 4 << 20

// LoadCAFile reads the PEM file at path and returns a pool of its CA
// certificates. It fails when the file cannot be read, holds a
// CERTIFICATE block that does not parse, or holds no certificate at all.
func LoadCAFile(path string) (*x509.CertPool, error) {
	certs, err := readCAFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// readCAFile returns the certificates of the PEM file at path.
func readCAFile(path string) ([]*x509.Certificate, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	if fi.Size() > maxCAFileSize {
		return nil, fmt.Errorf("read CA file %s: %d bytes, more than the %d a CA bundle needs", path, fi.Size(), maxCAFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	var certs []*x509.Certificate
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
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("read CA file %s: %w", path, errNoCertificate)
	}
	return certs, nil
}

// errNoCertificate says that a CA file holds no PEM certificate.
var errNoCertificate = errors.New("no PEM CERTIFICATE block")

// withCAFile returns a copy of base (nil means an empty configuration)
// that trusts the certificates of the PEM file at path: in addition to
// base.RootCAs when it is set, else instead of the system roots.
func withCAFile(base *tls.Config, path string) (*tls.Config, error) {
	certs, err := readCAFile(path)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	pool := x509.NewCertPool()
	if cfg.RootCAs != nil {
		pool = cfg.RootCAs.Clone()
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	cfg.RootCAs = pool
	return cfg, nil
}
