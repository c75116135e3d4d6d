package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

const customerColumns = `id, external_ref, name, company, tier, account_value_cents, owner_id,
	owner_since, created_at`

func scanCustomer(r Row) (store.Customer, error) {
	var c store.Customer
	err := r.Scan(&c.ID, &c.ExternalRef, &c.Name, &c.Company, &c.Tier, &c.AccountValueCents,
		idDest{&c.OwnerID}, timeDest{&c.OwnerSince}, timeDest{&c.CreatedAt})
	return c, err
}

// CustomerUpsert creates or updates the customer with p.ExternalRef and
// replaces its contact points, in one transaction. Emails are stored in lower
// case; repeated contact points are stored once. A contact point that
// belongs to another customer fails with store.ErrConflict.
func (q *queries) CustomerUpsert(ctx context.Context, p store.CustomerUpsertParams) (store.Customer, error) {
	ref := strings.TrimSpace(p.ExternalRef)
	if ref == "" {
		return store.Customer{}, errors.New("customer upsert: external ref is required")
	}
	var out store.Customer
	err := q.inTx(ctx, func(tx *queries) error {
		var id int64
		err := tx.c.QueryRow(ctx, `
			INSERT INTO customers (external_ref, name, company, tier, account_value_cents, owner_id,
				owner_since, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (external_ref) DO UPDATE SET
				name = excluded.name, company = excluded.company, tier = excluded.tier,
				account_value_cents = excluded.account_value_cents, owner_id = excluded.owner_id,
				owner_since = excluded.owner_since
			RETURNING id`,
			ref, p.Name, p.Company, p.Tier, p.AccountValueCents, idArg(p.OwnerID),
			timeArg(p.OwnerSince), timeArg(tx.nowUTC())).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := tx.c.Exec(ctx, `DELETE FROM customer_contacts WHERE customer_id = $1`, id); err != nil {
			return fmt.Errorf("clear contacts: %w", err)
		}
		if err := tx.insertContacts(ctx, id, store.ContactEmail, p.Emails); err != nil {
			return err
		}
		if err := tx.insertContacts(ctx, id, store.ContactPhone, p.Phones); err != nil {
			return err
		}
		out, err = tx.CustomerGetByID(ctx, id)
		return err
	})
	if err != nil {
		return store.Customer{}, fmt.Errorf("customer upsert %s: %w", ref, err)
	}
	return out, nil
}

func (q *queries) insertContacts(ctx context.Context, customerID int64, kind store.ContactKind, values []string) error {
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		v = normalizeContact(kind, v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if _, err := q.c.Exec(ctx,
			`INSERT INTO customer_contacts (customer_id, kind, value, position) VALUES ($1, $2, $3, $4)`,
			customerID, string(kind), v, len(seen)); err != nil {
			return fmt.Errorf("add %s %s: %w", kind, v, err)
		}
	}
	return nil
}

// CustomerGetByID returns the customer with id and its contact points.
func (q *queries) CustomerGetByID(ctx context.Context, id int64) (store.Customer, error) {
	c, err := scanCustomer(q.c.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id))
	if err != nil {
		return store.Customer{}, fmt.Errorf("customer get %d: %w", id, err)
	}
	cs := []store.Customer{c}
	if err := q.loadContacts(ctx, cs, `WHERE customer_id = $1`, id); err != nil {
		return store.Customer{}, fmt.Errorf("customer get %d: %w", id, err)
	}
	return cs[0], nil
}

// CustomerGetByContact returns the customer with that contact point. Emails
// compare case-insensitively.
func (q *queries) CustomerGetByContact(ctx context.Context, kind store.ContactKind, value string) (store.Customer, error) {
	v := normalizeContact(kind, value)
	var id int64
	err := q.c.QueryRow(ctx,
		`SELECT customer_id FROM customer_contacts WHERE kind = $1 AND value = $2`, string(kind), v).Scan(&id)
	if err != nil {
		return store.Customer{}, fmt.Errorf("customer get by %s %s: %w", kind, v, err)
	}
	return q.CustomerGetByID(ctx, id)
}

// CustomerList returns every customer, by name, with contact points.
func (q *queries) CustomerList(ctx context.Context) ([]store.Customer, error) {
	rows, err := q.c.Query(ctx, `SELECT `+customerColumns+` FROM customers ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("customer list: %w", err)
	}
	cs, err := collect(rows, scanCustomer)
	if err != nil {
		return nil, fmt.Errorf("customer list: %w", err)
	}
	if err := q.loadContacts(ctx, cs, ``); err != nil {
		return nil, fmt.Errorf("customer list: %w", err)
	}
	return cs, nil
}

// loadContacts fills the Emails and Phones of cs from the contact rows
// selected by where.
func (q *queries) loadContacts(ctx context.Context, cs []store.Customer, where string, args ...any) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*store.Customer, len(cs))
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
	}
	rows, err := q.c.Query(ctx, `SELECT customer_id, kind, value FROM customer_contacts `+where+
		` ORDER BY customer_id, kind, position`, args...)
	if err != nil {
		return fmt.Errorf("load contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, value string
		if err := rows.Scan(&id, &kind, &value); err != nil {
			return fmt.Errorf("load contacts: %w", err)
		}
		c := byID[id]
		if c == nil {
			continue
		}
		switch store.ContactKind(kind) {
		case store.ContactEmail:
			c.Emails = append(c.Emails, value)
		case store.ContactPhone:
			c.Phones = append(c.Phones, value)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load contacts: %w", err)
	}
	return nil
}

// normalizeContact is the stored form of a contact point.
func normalizeContact(kind store.ContactKind, v string) string {
	if kind == store.ContactEmail {
		return normalizeEmail(v)
	}
	return strings.TrimSpace(v)
}
