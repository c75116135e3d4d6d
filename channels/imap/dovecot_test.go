package imap_test

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"os"
	"regexp"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-gw/triage/channels/imap"
)

// dovecotEnv is the Dovecot that .ci/dovecot.sh starts, as it describes it
// in the environment.
type dovecotEnv struct {
	addr, starttlsAddr string
	security           imap.Security
	user, password     string
	tlsConfig          *tls.Config
}

// dovecotFromEnv reads the environment, or skips the test when
// TRIAGE_TEST_IMAP_ADDR is not set.
func dovecotFromEnv(t *testing.T) *dovecotEnv {
	t.Helper()
	addr := os.Getenv("TRIAGE_TEST_IMAP_ADDR")
	if addr == "" {
		t.Skip("TRIAGE_TEST_IMAP_ADDR is not set, so there is no Dovecot to test against; " +
			`run eval "$(bash .ci/dovecot.sh start)" first (as root; CI does)`)
	}
	env := &dovecotEnv{
		addr:         addr,
		starttlsAddr: os.Getenv("TRIAGE_TEST_IMAP_STARTTLS_ADDR"),
		security:     imap.Security(os.Getenv("TRIAGE_TEST_IMAP_SECURITY")),
		user:         os.Getenv("TRIAGE_TEST_IMAP_USER"),
		password:     os.Getenv("TRIAGE_TEST_IMAP_PASSWORD"),
		tlsConfig:    &tls.Config{},
	}
	if ca := os.Getenv("TRIAGE_TEST_IMAP_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatalf("read TRIAGE_TEST_IMAP_CA: %v", err)
		}
		env.tlsConfig.RootCAs = x509.NewCertPool()
		if !env.tlsConfig.RootCAs.AppendCertsFromPEM(pem) {
			t.Fatalf("TRIAGE_TEST_IMAP_CA %s holds no PEM certificate", ca)
		}
	}
	return env
}

// adminClient connects to Dovecot as the test user, over implicit TLS or
// STARTTLS as the env says, for changes and checks outside the Poller.
func (e *dovecotEnv) adminClient(t *testing.T) *imapclient.Client {
	t.Helper()
	if e.security != imap.SecurityStartTLS {
		return dialClient(t, e.addr, e.tlsConfig, e.user, e.password)
	}
	c, err := imapclient.DialStartTLS(e.addr, &imapclient.Options{TLSConfig: e.tlsConfig})
	if err != nil {
		t.Fatalf("imapclient.DialStartTLS(%s) = %v, want nil", e.addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(e.user, e.password).Wait(); err != nil {
		t.Fatalf("Login(%q) = %v, want nil", e.user, err)
	}
	return c
}

// newBackend gives the test a mailbox of its own, deleted at the end.
func (e *dovecotEnv) newBackend(t *testing.T) *backend {
	t.Helper()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	mailbox := "triage-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-") + "-" + hex.EncodeToString(rnd[:])
	admin := e.adminClient(t)
	if err := admin.Create(mailbox, nil).Wait(); err != nil {
		t.Fatalf("CREATE %q = %v, want nil", mailbox, err)
	}
	t.Cleanup(func() { _ = admin.Delete(mailbox).Wait() }) // before admin's Close: cleanups run last first

	return &backend{
		cfg: imap.Config{
			Addr:      e.addr,
			Username:  e.user,
			Password:  e.password,
			Mailbox:   mailbox,
			Security:  e.security,
			TLSConfig: e.tlsConfig,
		},
		append: func(t *testing.T, raw []byte, flags ...string) {
			t.Helper()
			opts := &goimap.AppendOptions{}
			for _, f := range flags {
				opts.Flags = append(opts.Flags, goimap.Flag(f))
			}
			cmd := admin.Append(mailbox, int64(len(raw)), opts)
			_, werr := cmd.Write(raw)
			cerr := cmd.Close()
			if _, err := cmd.Wait(); werr != nil || cerr != nil || err != nil {
				t.Fatalf("APPEND to %q = write %v, close %v, wait %v; want nil", mailbox, werr, cerr, err)
			}
		},
		recreate: func(t *testing.T) {
			t.Helper()
			if err := admin.Delete(mailbox).Wait(); err != nil {
				t.Fatalf("DELETE %q = %v, want nil", mailbox, err)
			}
			if err := admin.Create(mailbox, nil).Wait(); err != nil {
				t.Fatalf("CREATE %q = %v, want nil", mailbox, err)
			}
		},
		client: e.adminClient,
	}
}

func TestPollerDovecot(t *testing.T) {
	t.Parallel()
	env := dovecotFromEnv(t)
	runSuite(t, env.newBackend)
}

func TestPollDovecotStartTLS(t *testing.T) {
	t.Parallel()
	env := dovecotFromEnv(t)
	if env.starttlsAddr == "" {
		t.Skip("TRIAGE_TEST_IMAP_STARTTLS_ADDR is not set")
	}
	b := env.newBackend(t)
	b.append(t, testMessage(1))
	cfg := b.cfg
	cfg.Addr, cfg.Security = env.starttlsAddr, imap.SecurityStartTLS
	p, _ := newPoller(t, cfg, newSink())
	poll(t, p, 1)
}

// TestPollDovecotCAFile reaches Dovecot, whose certificate a private CA
// signed, with Config.CAFile naming that CA instead of a TLSConfig.
func TestPollDovecotCAFile(t *testing.T) {
	t.Parallel()
	env := dovecotFromEnv(t)
	ca := os.Getenv("TRIAGE_TEST_IMAP_CA")
	if ca == "" || env.security == imap.SecurityNone {
		t.Skip("TRIAGE_TEST_IMAP_CA is not set, or Dovecot speaks clear text")
	}
	b := env.newBackend(t)
	b.append(t, testMessage(1))
	cfg := b.cfg
	cfg.TLSConfig, cfg.CAFile = nil, ca
	p, _ := newPoller(t, cfg, newSink())
	poll(t, p, 1)
}
