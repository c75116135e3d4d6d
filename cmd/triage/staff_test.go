package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
	"github.com/triage-gw/triage/gateway/web"
)

// cliRig is a configuration file with two staff members, loaded into a
// fresh store, for running directory commands in-process.
type cliRig struct {
	dir, cfgPath string
}

// forCLIEngines runs test on a rig over SQLite, and over a fresh
// PostgreSQL schema when TRIAGE_TEST_DATABASE_URL is set.
func forCLIEngines(t *testing.T, test func(t *testing.T, r cliRig)) {
	t.Helper()
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			url := ""
			if engine == store.EnginePostgres {
				url = storetest.PostgresSchemaURL(t)
			}
			test(t, newCLIRig(t, url))
		})
	}
}

func newCLIRig(t *testing.T, dbURL string) cliRig {
	t.Helper()
	dir := t.TempDir()
	r := cliRig{dir: dir, cfgPath: filepath.Join(dir, "gateway.yaml")}
	cfg := fmt.Sprintf(`data_dir: %q
log:
  level: warn
database:
  url: %q
policy:
  default_owner: anna@example.com
dashboard:
  targets:
    notify: 5m
staff:
  - {name: Tom Baker, email: tom@example.com, phone: "+16175550102", manager: anna@example.com, time_zone: UTC}
  - {name: Anna Kowalski, email: anna@example.com, phone: "+16175550103", role: manager, time_zone: UTC}
`, dir, dbURL)
	r.write(t, "gateway.yaml", cfg)
	st := r.store(t)
	c, err := loadConfig(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.SyncDirectory(t.Context(), st, c); err != nil {
		t.Fatalf("SyncDirectory() = %v", err)
	}
	st.Close()
	return r
}

// write puts a file in the rig's directory and returns its path.
func (r cliRig) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// store opens the rig's store; the caller closes it before running a
// command (SQLite has one writer).
func (r cliRig) store(t *testing.T) store.Store {
	t.Helper()
	c, err := loadConfig(r.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := gateway.OpenStore(t.Context(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("OpenStore() = %v", err)
	}
	return st
}

// run runs the CLI with stdin and returns what it printed.
func (r cliRig) run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func (r cliRig) staff(t *testing.T, email string) store.Staff {
	t.Helper()
	st := r.store(t)
	defer st.Close()
	s, err := st.StaffGetByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("StaffGetByEmail(%s) = %v", email, err)
	}
	return s
}

// set-password reads the password from stdin when it is not a terminal,
// stores its bcrypt hash, ends the staff member's sessions and never
// prints the password.
func TestStaffSetPassword(t *testing.T) {
	t.Parallel()
	forCLIEngines(t, func(t *testing.T, r cliRig) {
		const pw = "correct horse battery staple"
		tom := r.staff(t, "tom@example.com")
		st := r.store(t)
		if err := st.SessionInsert(t.Context(), store.Session{IDHash: "s1", StaffID: tom.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		st.Close()

		out, errOut, err := r.run(t, pw+"\n", "staff", "set-password", "tom@example.com", "-config", r.cfgPath)
		if err != nil {
			t.Fatalf("staff set-password = %v\n%s", err, errOut)
		}
		if strings.Contains(out+errOut, pw) {
			t.Errorf("set-password printed the password:\n%s%s", out, errOut)
		}
		if !strings.Contains(out, "tom@example.com") {
			t.Errorf("set-password output does not name whose password it set:\n%s", out)
		}
		if h := r.staff(t, "tom@example.com").PasswordHash; !web.CheckPassword(h, pw) {
			t.Errorf("stored hash %q does not check against the password given", h)
		}
		st = r.store(t)
		_, err = st.SessionGet(t.Context(), "s1")
		st.Close()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Tom's session after set-password: SessionGet() = %v, want ErrNotFound", err)
		}

		// -password-file, flags before the email; a short one is refused.
		file := r.write(t, "pw.txt", "another fine password\r\nignored second line\n")
		if _, errOut, err := r.run(t, "", "staff", "set-password", "-config", r.cfgPath, "-password-file", file, "tom@example.com"); err != nil {
			t.Fatalf("set-password -password-file = %v\n%s", err, errOut)
		}
		if h := r.staff(t, "tom@example.com").PasswordHash; !web.CheckPassword(h, "another fine password") {
			t.Errorf("the password from -password-file does not check")
		}
		if _, _, err := r.run(t, "short\n", "staff", "set-password", "tom@example.com", "-config", r.cfgPath); err == nil || !strings.Contains(err.Error(), "too short") {
			t.Errorf("set-password with a short password = %v, want too short", err)
		}
		if _, _, err := r.run(t, pw+"\n", "staff", "set-password", "nobody@example.com", "-config", r.cfgPath); err == nil || !strings.Contains(err.Error(), "nobody@example.com") {
			t.Errorf("set-password for an unknown email = %v, want an error naming it", err)
		}

		// A sync of a configuration without password_hash keeps it.
		st = r.store(t)
		c, _ := loadConfig(r.cfgPath)
		_, err = gateway.SyncDirectory(t.Context(), st, c)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if h := r.staff(t, "tom@example.com").PasswordHash; !web.CheckPassword(h, "another fine password") {
			t.Errorf("a config sync wiped the password set with the CLI")
		}

		out, _, err = r.run(t, "", "staff", "list", "-config", r.cfgPath)
		if err != nil {
			t.Fatalf("staff list = %v", err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") {
			t.Fatalf("staff list printed:\n%s\nwant a header and 2 staff", out)
		}
		for i, want := range []string{
			"Anna Kowalski anna@example.com manager - yes no",
			"Tom Baker tom@example.com agent anna@example.com yes yes",
		} {
			if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
				t.Errorf("staff list line %d = %q, want %q", i+2, got, want)
			}
		}
	})
}

// hash-password prints a bcrypt hash of the password on stdin, good for a
// configured password_hash.
func TestStaffHashPassword(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCmd(t, t.Context(), "staff", "hash-password")
	if err == nil {
		t.Errorf("hash-password with nothing on stdin = nil, want an error; printed %s%s", out, errOut)
	}
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"staff", "hash-password"}, strings.NewReader("a long enough password\n"), &stdout, &stderr); err != nil {
		t.Fatalf("hash-password = %v\n%s", err, stderr.String())
	}
	hash := strings.TrimSpace(stdout.String())
	if err := web.ValidHash(hash); err != nil || !web.CheckPassword(hash, "a long enough password") {
		t.Errorf("hash-password printed %q: ValidHash %v; want a hash of the password", hash, err)
	}
}

// deactivate moves the person's work to the default owner, and the
// deactivation survives the next directory sync while the configuration
// still lists them.
func TestStaffDeactivate(t *testing.T) {
	t.Parallel()
	forCLIEngines(t, func(t *testing.T, r cliRig) {
		tom, anna := r.staff(t, "tom@example.com"), r.staff(t, "anna@example.com")
		st := r.store(t)
		c, err := st.CustomerUpsert(t.Context(), store.CustomerUpsertParams{ExternalRef: "C-1", Name: "Acme", Tier: "standard", OwnerID: tom.ID})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, err := r.run(t, "", "staff", "deactivate", "tom@example.com", "-config", r.cfgPath, "-reason", "on leave")
		if err != nil {
			t.Fatalf("staff deactivate = %v\n%s", err, errOut)
		}
		if !strings.Contains(out, "deactivated") || !strings.Contains(out, "1 accounts") {
			t.Errorf("staff deactivate printed:\n%s%s\nwant the moves", out, errOut)
		}
		if r.staff(t, "tom@example.com").Active {
			t.Errorf("Tom is still active")
		}
		cfg, err := config.Load(r.cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		st = r.store(t)
		_, err = gateway.SyncDirectory(t.Context(), st, cfg)
		st.Close()
		if err != nil {
			t.Fatalf("SyncDirectory = %v", err)
		}
		if r.staff(t, "tom@example.com").Active {
			t.Errorf("Tom is active again after a sync of the configuration that still lists him")
		}
		st = r.store(t)
		changes, _ := st.OwnerChangeList(t.Context(), c.ID, 0)
		st.Close()
		if len(changes) != 1 || changes[0].ToOwnerID != anna.ID || changes[0].Actor != "cli" || changes[0].Reason != "on leave" {
			t.Errorf("owner changes = %+v, want Tom → Anna by cli, on leave", changes)
		}
		out, _, err = r.run(t, "", "staff", "deactivate", "tom@example.com", "-config", r.cfgPath)
		if err != nil || !strings.Contains(out, "nothing changed") {
			t.Errorf("second deactivate = %v, printed %q; want nothing changed", err, out)
		}
		if _, _, err := r.run(t, "", "staff", "deactivate", "anna@example.com", "-config", r.cfgPath); !errors.Is(err, gateway.ErrDefaultOwner) {
			t.Errorf("deactivate the default owner = %v, want ErrDefaultOwner", err)
		}
	})
}

// The staff command's help is printed on -h and with no command.
func TestStaffHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"staff"}, {"staff", "-h"}, {"staff", "frobnicate"}, {"staff", "list", "-h"}} {
		_, errOut, err := runCmd(t, t.Context(), args...)
		if err == nil || !strings.Contains(errOut, "set-password EMAIL") || !strings.Contains(errOut, "-password-file") {
			t.Errorf("triage %s = %v, printed:\n%s\nwant the staff usage with its flags", strings.Join(args, " "), err, errOut)
		}
	}
}
