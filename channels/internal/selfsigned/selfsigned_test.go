package selfsigned_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"

	"github.com/triage-gw/triage/channels/internal/selfsigned"
)

// A client with ClientConfig completes a handshake with a server using
// ServerConfig, by IP address and by name.
func TestHandshake(t *testing.T) {
	t.Parallel()
	cert, err := selfsigned.New("selfsignedtest")
	if err != nil {
		t.Fatalf("New() = %v, want nil", err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cert.ServerConfig())
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			_ = c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		cfg := cert.ClientConfig()
		cfg.ServerName = host
		c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", port), cfg)
		if err != nil {
			t.Errorf("Dial(%s) with ClientConfig = %v, want nil", host, err)
			continue
		}
		_ = c.Close()
	}
	if _, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{MinVersion: tls.VersionTLS12}); err == nil {
		t.Error("Dial() with the system roots = nil, want a certificate error")
	}
}

func TestPEM(t *testing.T) {
	t.Parallel()
	cert, err := selfsigned.New("selfsignedtest")
	if err != nil {
		t.Fatalf("New() = %v, want nil", err)
	}
	pemBytes := cert.PEM()
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("PEM() = %q, want a CERTIFICATE block", pemBytes)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil || leaf.Subject.CommonName != "selfsignedtest" {
		t.Fatalf("PEM() holds %v, %v; want the certificate named selfsignedtest", leaf, err)
	}
	pemBytes[0] = 'x'
	if cert.PEM()[0] == 'x' {
		t.Error("PEM() returned the certificate's own bytes, want a copy")
	}
}
