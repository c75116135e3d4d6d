package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/imap/imaptest"
)

func TestIMAPCAFile(t *testing.T) {
	t.Setenv("TRIAGE_TEST_IMAP_PW", "imap-pw")
	srv, err := imaptest.Start(t.Context(), imaptest.ServerOptions{Username: "u", Password: "p", TLS: true})
	if err != nil {
		t.Fatalf("imaptest.Start() = %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	imapYAML := func(security, caFile string) string {
		return "imap:\n  enabled: true\n  addr: imap.example.com:993\n  username: u\n  password: ${TRIAGE_TEST_IMAP_PW}\n" +
			"  security: " + security + "\n  tls_ca_file: " + caFile + "\n"
	}
	c, err := Parse(strings.NewReader(imapYAML("tls", ca)))
	if err != nil || c.IMAP.CAFile != ca {
		t.Fatalf("Parse(imap.tls_ca_file: %s) = ca_file %q, %v; want it read and valid", ca, c.IMAP.CAFile, err)
	}
	for _, tt := range []struct{ name, yaml, want string }{
		{"missing file", imapYAML("tls", ca+".gone"), "imap.tls_ca_file: read CA file"},
		{"no certificate", imapYAML("starttls", notPEM), "imap.tls_ca_file: read CA file " + notPEM + ": no PEM CERTIFICATE block"},
		{"clear text", imapYAML("none", ca), "imap.tls_ca_file: is set, but imap.security is none"},
	} {
		if _, err := Parse(strings.NewReader(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSMTPTLSCAFile(t *testing.T) {
	dir := t.TempDir()
	srv, err := imaptest.Start(t.Context(), imaptest.ServerOptions{Username: "u", Password: "p", TLS: true})
	if err != nil {
		t.Fatalf("imaptest.Start() = %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	ca := filepath.Join(dir, "ca.pem") // any CA certificate will do
	if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	smtpYAML := func(security, caFile string) string {
		return "smtp:\n  enabled: true\n  addr: smtp.example.com:587\n  from: support@example.com\n" +
			"  security: " + security + "\n  tls_ca_file: " + caFile + "\n"
	}
	c, err := Parse(strings.NewReader(smtpYAML("starttls", ca)))
	if err != nil || c.SMTP.TLSCAFile != ca {
		t.Fatalf("Parse(smtp.tls_ca_file: %s) = tls_ca_file %q, %v; want it read and valid", ca, c.SMTP.TLSCAFile, err)
	}
	for _, tt := range []struct{ name, yaml, want string }{
		{"missing file", smtpYAML("tls", ca+".gone"), "smtp.tls_ca_file: read CA file"},
		{"clear text", smtpYAML("none", ca), "smtp.tls_ca_file: is set, but smtp.security is none"},
	} {
		if _, err := Parse(strings.NewReader(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
