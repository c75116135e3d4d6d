package gateway

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/triage-gw/triage/configs"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/postgres"
	"github.com/triage-gw/triage/gateway/store/sqlite"
	"github.com/triage-gw/triage/gateway/web"
	"github.com/triage-gw/triage/routing"
)

// OpenStore opens the configured database: PostgreSQL for a postgres://
// URL, SQLite otherwise (under data_dir by default). Migrations run at open
// unless database.no_migrate is set.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, error) {
	opts := store.OpenOptions{Migrate: !cfg.Database.NoMigrate, Logger: log.With("component", "store")}
	url := cfg.Database.URL
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		st, err := postgres.Open(ctx, url, opts)
		if err != nil {
			return nil, fmt.Errorf("open postgres store: %w", err)
		}
		return st, nil
	}
	path := SQLitePath(cfg)
	st, err := sqlite.Open(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return st, nil
}

// SQLitePath is where the SQLite database of cfg lives.
func SQLitePath(cfg config.Config) string {
	if p, ok := strings.CutPrefix(cfg.Database.URL, "sqlite:"); ok && p != "" {
		return p
	}
	return filepath.Join(cfg.DataDir, "triage.db")
}

// Settings that remember where staff came from, each a JSON list of
// emails: a source deactivates only the people it alone brought in.
const (
	settingConfigStaff   = "directory.config_staff"   // listed in the configuration at the last sync
	settingImportedStaff = "directory.imported_staff" // loaded by `triage import`
)

// reasonRemovedFromConfig is recorded when a sync deactivates someone.
const reasonRemovedFromConfig = "removed from the configuration"

// SyncDirectory writes the configured staff and customers into the store
// (insert or update by email and by ref), in one transaction, and returns
// the default owner's id.
//
// Staff listed at the previous sync and no longer in the configuration are
// deactivated (DeactivateStaff, actor "system"), unless `triage import`
// loaded them too; listing someone again reactivates them, while someone
// still listed keeps a deactivation made in the dashboard or the CLI. A configured
// password_hash must be a bcrypt hash; an empty one leaves the stored
// login (set with `triage staff set-password` or in the dashboard) alone.
// A customer's change of owner is recorded as one (POLICY P7).
func SyncDirectory(ctx context.Context, st store.Store, cfg config.Config) (int64, error) {
	if err := checkPasswordHashes(cfg.Staff); err != nil {
		return 0, err
	}
	var customers []config.Customer
	if cfg.CustomersFile != "" {
		var err error
		if customers, err = readCustomersFile(cfg.CustomersFile); err != nil {
			return 0, err
		}
	}
	now := time.Now().UTC()
	var defaultOwner int64
	err := st.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		listedBefore, err := readEmailSet(ctx, tx, settingConfigStaff)
		if err != nil {
			return err
		}
		ids, err := syncStaff(ctx, tx, cfg.Staff, listedBefore)
		if err != nil {
			return err
		}
		if err := loadCustomers(ctx, tx, cfg.CustomersFile, customers, ids, now); err != nil {
			return err
		}
		defaultOwner = ids[strings.ToLower(cfg.Policy.DefaultOwner)]
		return deactivateRemoved(ctx, tx, ids, defaultOwner, now)
	})
	if err != nil {
		return 0, fmt.Errorf("sync directory: %w", err)
	}
	return defaultOwner, nil
}

// checkPasswordHashes refuses a configured password_hash that is not a
// bcrypt hash, naming every such staff member.
func checkPasswordHashes(staff []config.Staff) error {
	var errs []error
	for i, s := range staff {
		if s.PasswordHash == "" {
			continue
		}
		if err := web.ValidHash(s.PasswordHash); err != nil {
			errs = append(errs, fmt.Errorf("staff[%d].password_hash (%s): %w: make one with `triage staff hash-password`", i, s.Email, err))
		}
	}
	return errors.Join(errs...)
}

// syncStaff upserts the configured staff and returns their ids by email.
// Someone new to the list (or listed again after being removed) is made
// active; someone already listed at the last sync keeps their stored
// state, so a deactivation in the dashboard or with `triage staff
// deactivate` survives a restart.
func syncStaff(ctx context.Context, q store.Querier, staff []config.Staff, listedBefore map[string]bool) (map[string]int64, error) {
	ids := make(map[string]int64, len(staff))
	// Two passes: managers may be listed after the people they manage.
	for pass := 0; pass < 2; pass++ {
		for _, s := range staff {
			email := strings.ToLower(strings.TrimSpace(s.Email))
			active := true
			if listedBefore[email] {
				stored, err := q.StaffGetByEmail(ctx, email)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, fmt.Errorf("load staff %s: %w", email, err)
				}
				active = err != nil || stored.Active
			}
			got, err := q.StaffUpsert(ctx, store.StaffUpsertParams{
				Name: s.Name, Email: email, Phone: s.Phone, Role: cmp.Or(s.Role, "agent"),
				ManagerID: ids[strings.ToLower(strings.TrimSpace(s.Manager))], TimeZone: s.TimeZone, Hours: s.Hours,
				Aliases: s.Aliases, PasswordHash: s.PasswordHash, Active: active,
			})
			if err != nil {
				return nil, fmt.Errorf("load staff %s: %w", email, err)
			}
			ids[email] = got.ID
		}
	}
	return ids, nil
}

// deactivateRemoved deactivates the staff listed in the configuration at
// the last sync who are no longer in it (ids) and were not imported, then
// remembers who is listed now.
func deactivateRemoved(ctx context.Context, q store.Querier, ids map[string]int64, defaultOwner int64, now time.Time) error {
	before, err := readEmailSet(ctx, q, settingConfigStaff)
	if err != nil {
		return err
	}
	imported, err := readEmailSet(ctx, q, settingImportedStaff)
	if err != nil {
		return err
	}
	for _, email := range slices.Sorted(maps.Keys(before)) {
		if _, listed := ids[email]; listed || imported[email] {
			continue
		}
		s, err := q.StaffGetByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("load removed staff %s: %w", email, err)
		}
		if _, err := deactivateIn(ctx, q, DeactivateParams{
			StaffID: s.ID, DefaultOwnerID: defaultOwner, Actor: "system", At: now, Reason: reasonRemovedFromConfig,
		}); err != nil {
			return fmt.Errorf("%s was removed from the configuration: %w", email, err)
		}
	}
	listed := make(map[string]bool, len(ids))
	for email := range ids {
		listed[email] = true
	}
	return writeEmailSet(ctx, q, settingConfigStaff, listed)
}

// readEmailSet reads a setting holding a JSON list of emails; an unset one
// is empty.
func readEmailSet(ctx context.Context, q store.Querier, key string) (map[string]bool, error) {
	v, err := q.SettingGet(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read setting %s: %w", key, err)
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, fmt.Errorf("read setting %s: %w", key, err)
	}
	set := make(map[string]bool, len(list))
	for _, e := range list {
		set[e] = true
	}
	return set, nil
}

// writeEmailSet stores set under key as a sorted JSON list.
func writeEmailSet(ctx context.Context, q store.Querier, key string, set map[string]bool) error {
	b, err := json.Marshal(slices.Sorted(maps.Keys(set)))
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	if err := q.SettingSet(ctx, key, string(b)); err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// readCustomersFile decodes the configured customers_file.
func readCustomersFile(path string) ([]config.Customer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("customers_file: %w", err)
	}
	var list []config.Customer
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("customers_file %s: %w", path, err)
	}
	return list, nil
}

// loadCustomers writes the customers of path (already read into list).
func loadCustomers(ctx context.Context, q store.Querier, path string, list []config.Customer, staff map[string]int64, now time.Time) error {
	if len(list) == 0 {
		return nil
	}
	existing, err := customersByRef(ctx, q)
	if err != nil {
		return err
	}
	for i, c := range list {
		if c.Ref == "" || c.Name == "" {
			return fmt.Errorf("customers_file %s: entry %d: ref and name are required", path, i)
		}
		owner, ok := staff[strings.ToLower(c.Owner)]
		if c.Owner != "" && !ok {
			return fmt.Errorf("customers_file %s: %s: owner %q is not a configured staff email", path, c.Ref, c.Owner)
		}
		if _, err := putCustomer(ctx, q, existing, store.CustomerUpsertParams{
			ExternalRef: c.Ref, Name: c.Name, Company: c.Company, Tier: cmp.Or(c.Tier, "standard"),
			AccountValueCents: int64(math.Round(c.AccountValue * 100)), OwnerID: owner, Emails: c.Emails, Phones: c.Phones,
		}, ownerMove{At: now, Actor: "system", Reason: "customers_file"}); err != nil {
			return err
		}
	}
	return nil
}

// customersByRef lists every customer by external reference.
func customersByRef(ctx context.Context, q store.Querier) (map[string]store.Customer, error) {
	all, err := q.CustomerList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	m := make(map[string]store.Customer, len(all))
	for _, c := range all {
		m[c.ExternalRef] = c
	}
	return m, nil
}

// ownerMove says who moves accounts to a new owner, when and why.
type ownerMove struct {
	At            time.Time
	Actor, Reason string
	// KeepUnset leaves an existing customer's owner as it is when no owner
	// is given; otherwise no owner means none (the account is unassigned).
	KeepUnset bool
}

// putCustomer creates or updates the customer p.ExternalRef. A new customer
// gets p.OwnerID; an existing one that changes hands moves to p.OwnerID
// through CustomerSetOwner, so the change is recorded (POLICY P7). existing
// (by ref) is kept up to date.
func putCustomer(ctx context.Context, q store.Querier, existing map[string]store.Customer, p store.CustomerUpsertParams, m ownerMove) (ownerChanged bool, err error) {
	owner := p.OwnerID
	old, found := existing[p.ExternalRef]
	if found {
		p.OwnerID, p.OwnerSince = old.OwnerID, old.OwnerSince
		if owner == 0 && m.KeepUnset {
			owner = old.OwnerID
		}
	}
	c, err := q.CustomerUpsert(ctx, p)
	if err != nil {
		return false, fmt.Errorf("load customer %s: %w", p.ExternalRef, err)
	}
	if found && owner != old.OwnerID {
		if c, err = q.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{
			CustomerID: c.ID, OwnerID: owner, At: m.At, Actor: m.Actor, Reason: m.Reason,
		}); err != nil {
			return false, fmt.Errorf("move customer %s to owner %d: %w", p.ExternalRef, owner, err)
		}
		ownerChanged = true
	}
	existing[c.ExternalRef] = c
	return ownerChanged, nil
}

// routingPolicy is the configured policy with its playbooks and owner.
func routingPolicy(cfg config.Config, defaultOwner int64) (routing.Policy, error) {
	p := cfg.RoutingPolicy()
	p.DefaultOwnerID = defaultOwner
	books, err := configs.DefaultPlaybooks()
	if cfg.Policy.PlaybooksFile != "" {
		var b []byte
		if b, err = os.ReadFile(cfg.Policy.PlaybooksFile); err == nil {
			books, err = configs.ParsePlaybooks(b)
		}
	}
	if err != nil {
		return p, fmt.Errorf("policy.playbooks_file: %w", err)
	}
	p.Playbooks = make(map[string][]string, len(books))
	for k, b := range books {
		p.Playbooks[k] = b.Checklist()
	}
	return p, nil
}
