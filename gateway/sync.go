package gateway

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/triage-gw/triage/configs"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/postgres"
	"github.com/triage-gw/triage/gateway/store/sqlite"
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

// SyncDirectory writes the configured staff and customers into the store
// (insert or update by email and by ref) and returns the default owner's id.
func SyncDirectory(ctx context.Context, st store.Store, cfg config.Config) (int64, error) {
	ids := map[string]int64{}
	// Two passes: managers may be listed after the people they manage.
	for pass := 0; pass < 2; pass++ {
		for _, s := range cfg.Staff {
			email := strings.ToLower(s.Email)
			got, err := st.StaffUpsert(ctx, store.StaffUpsertParams{
				Name: s.Name, Email: email, Phone: s.Phone, Role: cmp.Or(s.Role, "agent"),
				ManagerID: ids[strings.ToLower(s.Manager)], TimeZone: s.TimeZone, Hours: s.Hours,
				Aliases: s.Aliases, PasswordHash: s.PasswordHash, Active: true,
			})
			if err != nil {
				return 0, fmt.Errorf("load staff %s: %w", email, err)
			}
			ids[email] = got.ID
		}
	}
	if cfg.CustomersFile != "" {
		if err := loadCustomers(ctx, st, cfg.CustomersFile, ids); err != nil {
			return 0, err
		}
	}
	return ids[strings.ToLower(cfg.Policy.DefaultOwner)], nil
}

func loadCustomers(ctx context.Context, st store.Store, path string, staff map[string]int64) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("customers_file: %w", err)
	}
	var list []config.Customer
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		return fmt.Errorf("customers_file %s: %w", path, err)
	}
	for i, c := range list {
		if c.Ref == "" || c.Name == "" {
			return fmt.Errorf("customers_file %s: entry %d: ref and name are required", path, i)
		}
		owner, ok := staff[strings.ToLower(c.Owner)]
		if c.Owner != "" && !ok {
			return fmt.Errorf("customers_file %s: %s: owner %q is not a configured staff email", path, c.Ref, c.Owner)
		}
		if _, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{
			ExternalRef: c.Ref, Name: c.Name, Company: c.Company, Tier: cmp.Or(c.Tier, "standard"),
			AccountValueCents: int64(c.AccountValue * 100), OwnerID: owner, Emails: c.Emails, Phones: c.Phones,
		}); err != nil {
			return fmt.Errorf("load customer %s: %w", c.Ref, err)
		}
	}
	return nil
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
