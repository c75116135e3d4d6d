package sqlstore

import (
	"context"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

// CustomerSetOwner moves customer p.CustomerID to p.OwnerID (0: no owner)
// and records the change, in one transaction. The customer's OwnerSince
// becomes p.At (the store's clock when zero; NULL when the account is left
// without an owner). When p.OwnerID is already the owner nothing is
// written. An unknown customer is store.ErrNotFound; an unknown owner fails
// on its foreign key.
func (q *queries) CustomerSetOwner(ctx context.Context, p store.CustomerSetOwnerParams) (store.Customer, error) {
	var out store.Customer
	err := q.inTx(ctx, func(tx *queries) error {
		// The no-op UPDATE reads the owner under the row's lock: in
		// PostgreSQL a concurrent change of the same customer waits until
		// this one commits, so each change records the owner it replaced.
		// (SQLite's write transaction already excludes other writers.)
		var current int64
		if err := tx.c.QueryRow(ctx, `UPDATE customers SET owner_id = owner_id WHERE id = $1 RETURNING owner_id`,
			p.CustomerID).Scan(idDest{&current}); err != nil {
			return err
		}
		if current != p.OwnerID {
			at := tx.orNow(p.At)
			var since any
			if p.OwnerID != 0 {
				since = timeArg(at)
			}
			if _, err := tx.c.Exec(ctx, `UPDATE customers SET owner_id = $2, owner_since = $3 WHERE id = $1`,
				p.CustomerID, idArg(p.OwnerID), since); err != nil {
				return fmt.Errorf("move to owner %d: %w", p.OwnerID, err)
			}
			if _, err := tx.c.Exec(ctx, `INSERT INTO customer_owner_changes
				(customer_id, from_owner_id, to_owner_id, at, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
				p.CustomerID, idArg(current), idArg(p.OwnerID), timeArg(at), p.Actor, p.Reason); err != nil {
				return fmt.Errorf("record owner change: %w", err)
			}
		}
		var err error
		out, err = tx.CustomerGetByID(ctx, p.CustomerID)
		return err
	})
	if err != nil {
		return store.Customer{}, fmt.Errorf("customer set owner %d to %d: %w", p.CustomerID, p.OwnerID, err)
	}
	return out, nil
}

// CustomerListByOwner returns the customers owned by ownerID (0: those with
// no owner), by name, with their contact points.
func (q *queries) CustomerListByOwner(ctx context.Context, ownerID int64) ([]store.Customer, error) {
	where, args := `WHERE owner_id = $1`, []any{ownerID}
	if ownerID == 0 {
		where, args = `WHERE owner_id IS NULL`, nil
	}
	rows, err := q.c.Query(ctx, `SELECT `+customerColumns+` FROM customers `+where+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("customer list by owner %d: %w", ownerID, err)
	}
	cs, err := collect(rows, scanCustomer)
	if err != nil {
		return nil, fmt.Errorf("customer list by owner %d: %w", ownerID, err)
	}
	if err := q.loadContacts(ctx, cs, `WHERE customer_id IN (SELECT id FROM customers `+where+`)`, args...); err != nil {
		return nil, fmt.Errorf("customer list by owner %d: %w", ownerID, err)
	}
	return cs, nil
}

const ownerChangeColumns = `id, customer_id, from_owner_id, to_owner_id, at, actor, reason`

func scanOwnerChange(r Row) (store.OwnerChange, error) {
	var c store.OwnerChange
	err := r.Scan(&c.ID, &c.CustomerID, idDest{&c.FromOwnerID}, idDest{&c.ToOwnerID}, timeDest{&c.At}, &c.Actor, &c.Reason)
	return c, err
}

// OwnerChangeList returns owner changes, at most limit (100 when 0 or
// less). For one customer they are its latest changes, oldest first; for
// customerID 0 every customer's latest, newest first.
func (q *queries) OwnerChangeList(ctx context.Context, customerID int64, limit int) ([]store.OwnerChange, error) {
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT ` + ownerChangeColumns + ` FROM customer_owner_changes ORDER BY at DESC, id DESC LIMIT $1`
	args := []any{limit}
	if customerID != 0 {
		query = `SELECT ` + ownerChangeColumns + ` FROM (
			SELECT ` + ownerChangeColumns + ` FROM customer_owner_changes WHERE customer_id = $1
			ORDER BY at DESC, id DESC LIMIT $2) AS latest
			ORDER BY at, id`
		args = []any{customerID, limit}
	}
	rows, err := q.c.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("owner change list for customer %d: %w", customerID, err)
	}
	out, err := collect(rows, scanOwnerChange)
	if err != nil {
		return nil, fmt.Errorf("owner change list for customer %d: %w", customerID, err)
	}
	return out, nil
}
