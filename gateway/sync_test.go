package gateway_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/web"
)

// syncStaff is the configured staff of the sync tests.
var (
	syncAnna = config.Staff{Name: "Anna Kowalski", Email: "anna@example.com", Role: "manager", TimeZone: "UTC"}
	syncTom  = config.Staff{Name: "Tom Baker", Email: "tom@example.com", Manager: "anna@example.com", TimeZone: "UTC"}
	syncBob  = config.Staff{Name: "Bob Stone", Email: "bob@example.com", Manager: "anna@example.com", TimeZone: "UTC"}
	syncIvy  = config.Staff{Name: "Ivy Chen", Email: "ivy@example.com", Manager: "anna@example.com", TimeZone: "UTC"}
)

func mustSync(t *testing.T, st store.Store, cfg config.Config, staff ...config.Staff) int64 {
	t.Helper()
	cfg.Staff = staff
	cfg.Policy.DefaultOwner = "anna@example.com"
	id, err := gateway.SyncDirectory(t.Context(), st, cfg)
	if err != nil {
		t.Fatalf("SyncDirectory() = %v", err)
	}
	return id
}

func staffNamed(t *testing.T, st store.Store, email string) store.Staff {
	t.Helper()
	s, err := st.StaffGetByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("StaffGetByEmail(%s) = %v", email, err)
	}
	return s
}

// Staff removed from the configuration are deactivated at the next sync,
// their account and active case going to the default owner; someone
// `triage import` loaded too is left alone; listing someone again
// reactivates them.
func TestSyncDeactivatesRemovedStaff(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		anna := mustSync(t, st, cfg, syncAnna, syncTom, syncBob, syncIvy)
		bob := staffNamed(t, st, "bob@example.com")
		if _, err := gateway.ImportDirectory(ctx, st, gateway.ImportParams{Name: "staff.csv",
			Data: []byte("name,email,manager\nIvy Chen,ivy@example.com,anna@example.com\n")}); err != nil {
			t.Fatalf("ImportDirectory(ivy) = %v", err)
		}
		cust, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "C-2", Name: "Globex", Tier: "key", OwnerID: bob.ID})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Add(-time.Hour)
		c := mustCase(t, st, cust.ID, bob.ID, store.CaseOpen, at)

		if got := mustSync(t, st, cfg, syncAnna, syncTom); got != anna {
			t.Errorf("SyncDirectory() default owner = %d, want %d", got, anna)
		}
		if s := staffNamed(t, st, "bob@example.com"); s.Active {
			t.Errorf("Bob removed from the configuration is still active")
		}
		if s := staffNamed(t, st, "ivy@example.com"); !s.Active {
			t.Errorf("Ivy, imported too, was deactivated by a config sync")
		}
		if s := staffNamed(t, st, "tom@example.com"); !s.Active {
			t.Errorf("Tom, still configured, is inactive")
		}
		if got, _ := st.CustomerGetByID(ctx, cust.ID); got.OwnerID != anna {
			t.Errorf("Bob's customer owner = %d, want the default owner %d", got.OwnerID, anna)
		}
		changes, _ := st.OwnerChangeList(ctx, cust.ID, 0)
		if len(changes) != 1 || changes[0].Actor != "system" || changes[0].Reason != "removed from the configuration" {
			t.Errorf("owner changes = %+v, want one by system, removed from the configuration", changes)
		}
		if got, _ := st.CaseGetByID(ctx, c.ID); got.OwnerID != anna {
			t.Errorf("Bob's active case owner = %d, want %d", got.OwnerID, anna)
		}
		if evs := eventsOf(t, st, c.ID, "owner_changed"); len(evs) != 1 || evs[0]["actor"] != "system" || evs[0]["to"] != float64(anna) {
			t.Errorf("owner_changed events = %v, want one by system to Anna", evs)
		}

		// A second sync changes nothing; listing Bob again reactivates him.
		mustSync(t, st, cfg, syncAnna, syncTom)
		if evs := eventsOf(t, st, c.ID, "owner_changed"); len(evs) != 1 {
			t.Errorf("%d owner_changed events after a second sync, want 1", len(evs))
		}
		mustSync(t, st, cfg, syncAnna, syncTom, syncBob)
		if s := staffNamed(t, st, "bob@example.com"); !s.Active {
			t.Errorf("Bob listed again is still inactive")
		}
	})
}

// A configured password_hash must be a bcrypt hash; an empty one keeps the
// login set with the CLI or the dashboard.
func TestSyncPasswordHash(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		mustSync(t, st, cfg, syncAnna, syncTom)
		tom := staffNamed(t, st, "tom@example.com")
		hash, err := web.HashPassword("correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.StaffSetPassword(ctx, tom.ID, hash); err != nil {
			t.Fatal(err)
		}
		mustSync(t, st, cfg, syncAnna, syncTom)
		if got := staffNamed(t, st, "tom@example.com").PasswordHash; got != hash {
			t.Errorf("after a sync with no password_hash, Tom's hash = %q, want the one set before kept", got)
		}

		bad := syncTom
		bad.PasswordHash = "hunter2"
		cfg.Staff, cfg.Policy.DefaultOwner = []config.Staff{syncAnna, bad}, "anna@example.com"
		_, err = gateway.SyncDirectory(ctx, st, cfg)
		if err == nil || !strings.Contains(err.Error(), "tom@example.com") || !strings.Contains(err.Error(), "bcrypt") {
			t.Errorf("SyncDirectory(password_hash: hunter2) = %v, want an error naming tom@example.com and bcrypt", err)
		}

		other, err := web.HashPassword("another long password")
		if err != nil {
			t.Fatal(err)
		}
		good := syncTom
		good.PasswordHash = other
		mustSync(t, st, cfg, syncAnna, good)
		if got := staffNamed(t, st, "tom@example.com").PasswordHash; got != other {
			t.Errorf("a configured password_hash was not stored")
		}
	})
}

// A customers_file owner change is recorded as one (POLICY P7), and its
// owner_since is kept across syncs that change nothing.
func TestSyncCustomerOwnerChange(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "customers.yaml")
		write := func(owner string) {
			if err := os.WriteFile(path, []byte("- {ref: C-1, name: Jane Doe, owner: "+owner+", emails: [jane@acme.example]}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cfg.CustomersFile = path
		write("tom@example.com")
		mustSync(t, st, cfg, syncAnna, syncTom)
		jane, err := st.CustomerGetByContact(ctx, store.ContactEmail, "jane@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		mustSync(t, st, cfg, syncAnna, syncTom)
		if changes, _ := st.OwnerChangeList(ctx, jane.ID, 0); len(changes) != 0 {
			t.Errorf("owner changes after an unchanged sync = %+v, want none", changes)
		}
		write("anna@example.com")
		anna := mustSync(t, st, cfg, syncAnna, syncTom)
		changes, _ := st.OwnerChangeList(ctx, jane.ID, 0)
		if len(changes) != 1 || changes[0].ToOwnerID != anna || changes[0].Actor != "system" {
			t.Errorf("owner changes = %+v, want one to Anna by system", changes)
		}
		if got, _ := st.CustomerGetByID(ctx, jane.ID); got.OwnerID != anna || got.OwnerSince.IsZero() {
			t.Errorf("Jane = owner %d since %v, want Anna since the change", got.OwnerID, got.OwnerSince)
		}
	})
}
