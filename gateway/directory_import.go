package gateway

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/mail"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/web"
	"github.com/triage-gw/triage/routing"
)

// ImportKind is what an import file lists.
type ImportKind string

// Import kinds.
const (
	ImportCustomers ImportKind = "customers"
	ImportStaff     ImportKind = "staff"
)

// staffRoles are the roles a staff member may have (config.Staff.Role).
var staffRoles = []string{"agent", "manager", "director", "admin", "qa"}

// The columns of an import CSV, in their usual order. Multiple emails,
// phones and aliases are separated by ";" within one cell.
var (
	customerColumns = []string{"ref", "name", "company", "tier", "account_value", "owner", "emails", "phones"}
	staffColumns    = []string{"name", "email", "phone", "role", "manager", "time_zone", "hours", "aliases"}
)

// ImportParams describe one import.
type ImportParams struct {
	// Name is the file's name: ".csv" is read as CSV (a header row, then
	// one row per entry), anything else as a YAML list of config.Customer
	// or config.Staff entries.
	Name string
	Data []byte
	// Kind is ImportCustomers or ImportStaff; "" guesses it from the CSV
	// header or the YAML keys ("ref": customers, "email": staff).
	Kind ImportKind
	// DryRun validates and reports, and writes nothing.
	DryRun bool
	// DeactivateMissing (staff only) deactivates the staff an earlier
	// import loaded who are not in this file, unless the configuration
	// lists them: the file is the directory.
	DeactivateMissing bool
	// DefaultOwner is the email of the staff member who takes over the
	// work of those deactivated (policy.default_owner).
	DefaultOwner string
	// Region reads phone numbers written without a country code, e.g.
	// "US" (voice.default_region); "" accepts only "+..." numbers.
	Region string
	// At is when the import happens; zero means now.
	At time.Time
}

// ImportRejection is one entry of the file that was not applied.
type ImportRejection struct {
	Row  int    // the entry's position in the file, from 1 (a CSV header is not an entry)
	Line int    // the line of the file it starts on
	Key  string // its ref or email, when it has one
	// Reason says every problem found, separated by "; ".
	Reason string
}

func (r ImportRejection) String() string {
	where := fmt.Sprintf("row %d (line %d", r.Row, r.Line)
	if r.Key != "" {
		where += ", " + r.Key
	}
	return where + "): " + r.Reason
}

// ImportResult is what an import did (or, in a dry run, would do).
type ImportResult struct {
	Kind   ImportKind
	DryRun bool
	Rows   int // entries in the file
	// Created and Updated count the applied entries.
	Created, Updated int
	// OwnerChanges counts the customers moved to another owner, each
	// recorded as an owner change (POLICY P7, actor "import").
	OwnerChanges int
	// Deactivated lists the staff deactivated by DeactivateMissing.
	Deactivated []string
	Rejected    []ImportRejection
	// Problems are what DeactivateMissing could not do (the default owner
	// is never deactivated).
	Problems []string
}

// Failed reports whether anything was rejected or left undone.
func (r ImportResult) Failed() bool { return len(r.Rejected)+len(r.Problems) > 0 }

// ImportDirectory loads customers or staff from a CSV or YAML file. Every
// entry is checked; the valid ones are applied in one transaction, and the
// rejected ones are returned with their row and reason (they do not stop
// the others). An error means nothing was applied: the file could not be
// read as a whole, or the store failed.
func ImportDirectory(ctx context.Context, st store.Store, p ImportParams) (ImportResult, error) {
	if p.At.IsZero() {
		p.At = time.Now()
	}
	p.At = p.At.UTC()
	kind, entries, err := parseImport(p.Name, p.Data, p.Kind)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import %s: %w", p.Name, err)
	}
	if p.DeactivateMissing && kind != ImportStaff {
		return ImportResult{}, fmt.Errorf("import %s: -deactivate-missing applies to staff, not %s", p.Name, kind)
	}
	var res ImportResult
	run := func(ctx context.Context, q store.Querier) error {
		var err error
		res, err = importIn(ctx, q, p, kind, entries)
		return err
	}
	if p.DryRun {
		err = run(ctx, st)
	} else {
		err = st.InTx(ctx, run)
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import %s: %w", p.Name, err)
	}
	return res, nil
}

// importEntry is one entry of the file, as read.
type importEntry struct {
	row, line int
	customer  config.Customer
	staff     config.Staff
	problems  []string // found while reading it
}

func (e *importEntry) bad(format string, args ...any) {
	e.problems = append(e.problems, fmt.Sprintf(format, args...))
}

// parseImport reads the file's entries, and its kind when kind is "".
func parseImport(name string, data []byte, kind ImportKind) (ImportKind, []*importEntry, error) {
	switch kind {
	case "", ImportCustomers, ImportStaff:
	default:
		return "", nil, fmt.Errorf("unknown kind %q: want customers or staff", kind)
	}
	var (
		entries []*importEntry
		err     error
	)
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		kind, entries, err = parseImportCSV(data, kind)
	} else {
		kind, entries, err = parseImportYAML(data, kind)
	}
	if err != nil {
		return "", nil, err
	}
	if len(entries) == 0 {
		return "", nil, errors.New("the file lists no entries")
	}
	return kind, entries, nil
}

// guessKind picks the kind from the names of the fields the file uses.
func guessKind(fields []string) (ImportKind, error) {
	switch {
	case slices.Contains(fields, "ref"):
		return ImportCustomers, nil
	case slices.Contains(fields, "email"):
		return ImportStaff, nil
	}
	return "", errors.New("cannot tell customers from staff (customers have a ref, staff an email): give -kind")
}

func parseImportCSV(data []byte, kind ImportKind) (ImportKind, []*importEntry, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return "", nil, fmt.Errorf("read CSV header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup {
			return "", nil, fmt.Errorf("CSV header: column %q appears twice", h)
		}
		col[h] = i
		header[i] = h
	}
	if kind == "" {
		if kind, err = guessKind(header); err != nil {
			return "", nil, err
		}
	}
	known, required := customerColumns, []string{"ref", "name"}
	if kind == ImportStaff {
		known, required = staffColumns, []string{"name", "email"}
	}
	for _, h := range header {
		if !slices.Contains(known, h) {
			return "", nil, fmt.Errorf("CSV header: unknown %s column %q (known: %s)", kind, h, strings.Join(known, ", "))
		}
	}
	for _, h := range required {
		if _, ok := col[h]; !ok {
			return "", nil, fmt.Errorf("CSV header: the %s column %q is required", kind, h)
		}
	}
	var entries []*importEntry
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return kind, entries, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := r.FieldPos(0)
		e := &importEntry{row: len(entries) + 1, line: line}
		entries = append(entries, e)
		if len(rec) != len(header) {
			e.bad("%d fields, the header has %d", len(rec), len(header))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if kind == ImportStaff {
			e.staff = config.Staff{Name: get("name"), Email: get("email"), Phone: get("phone"), Role: get("role"),
				Manager: get("manager"), TimeZone: get("time_zone"), Hours: get("hours"), Aliases: splitList(get("aliases"))}
			continue
		}
		e.customer = config.Customer{Ref: get("ref"), Name: get("name"), Company: get("company"), Tier: get("tier"),
			Owner: get("owner"), Emails: splitList(get("emails")), Phones: splitList(get("phones"))}
		if v := get("account_value"); v != "" {
			f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
			if err != nil {
				e.bad("account_value %q is not a number", v)
			}
			e.customer.AccountValue = f
		}
	}
}

// splitList splits a cell holding several values separated by ";".
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseImportYAML(data []byte, kind ImportKind) (ImportKind, []*importEntry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", nil, fmt.Errorf("read YAML: %w", err)
	}
	if doc.Kind == 0 {
		return "", nil, errors.New("the file lists no entries")
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return "", nil, fmt.Errorf("read YAML: line %d: want a list of entries", list.Line)
	}
	if kind == "" && len(list.Content) > 0 {
		var err error
		if kind, err = guessKind(mappingKeys(list.Content[0])); err != nil {
			return "", nil, err
		}
	}
	known := yamlFields(config.Customer{})
	if kind == ImportStaff {
		known = yamlFields(config.Staff{})
	}
	entries := make([]*importEntry, 0, len(list.Content))
	for i, item := range list.Content {
		e := &importEntry{row: i + 1, line: item.Line}
		entries = append(entries, e)
		if item.Kind != yaml.MappingNode {
			e.bad("want a mapping of %s fields", kind)
			continue
		}
		for _, k := range mappingKeys(item) {
			if !slices.Contains(known, k) {
				e.bad("unknown field %q", k)
			}
		}
		var err error
		if kind == ImportStaff {
			err = item.Decode(&e.staff)
		} else {
			err = item.Decode(&e.customer)
		}
		if err != nil {
			e.bad("%v", err)
		}
	}
	return kind, entries, nil
}

// mappingKeys lists the keys of a YAML mapping node.
func mappingKeys(n *yaml.Node) []string {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// yamlFields lists the YAML keys of a struct's fields.
func yamlFields(v any) []string {
	var names []string
	var n yaml.Node
	if err := n.Encode(v); err == nil {
		names = mappingKeys(&n)
	}
	return names
}

// importer checks and applies the entries of one file through q.
type importer struct {
	q       store.Querier
	p       ImportParams
	res     ImportResult
	staff   map[string]store.Staff    // stored, by email
	byRef   map[string]store.Customer // stored, by ref
	applied []string                  // staff emails written
}

func importIn(ctx context.Context, q store.Querier, p ImportParams, kind ImportKind, entries []*importEntry) (ImportResult, error) {
	im := &importer{q: q, p: p, res: ImportResult{Kind: kind, DryRun: p.DryRun, Rows: len(entries)}}
	list, err := q.StaffList(ctx)
	if err != nil {
		return im.res, fmt.Errorf("list staff: %w", err)
	}
	im.staff = make(map[string]store.Staff, len(list))
	for _, s := range list {
		im.staff[s.Email] = s
	}
	if kind == ImportCustomers {
		if im.byRef, err = customersByRef(ctx, q); err != nil {
			return im.res, err
		}
		err = im.customers(ctx, entries)
	} else {
		err = im.staffEntries(ctx, entries)
	}
	if err != nil {
		return im.res, err
	}
	for _, e := range entries {
		if len(e.problems) > 0 {
			key := cmp.Or(strings.TrimSpace(e.customer.Ref), strings.ToLower(strings.TrimSpace(e.staff.Email)))
			im.res.Rejected = append(im.res.Rejected, ImportRejection{Row: e.row, Line: e.line, Key: key, Reason: strings.Join(e.problems, "; ")})
		}
	}
	return im.res, nil
}

// customers checks every customer entry, then writes the valid ones.
func (im *importer) customers(ctx context.Context, entries []*importEntry) error {
	refs := map[string]int{}     // ref → row
	contacts := map[string]int{} // "email:x" → row claiming it in the file
	owners := map[string]store.Customer{}
	for _, c := range im.byRef {
		for _, v := range c.Emails {
			owners["email:"+strings.ToLower(v)] = c
		}
		for _, v := range c.Phones {
			owners["phone:"+v] = c
		}
	}
	for _, e := range entries {
		c := &e.customer
		c.Ref, c.Name, c.Owner = strings.TrimSpace(c.Ref), strings.TrimSpace(c.Name), strings.ToLower(strings.TrimSpace(c.Owner))
		if c.Ref == "" {
			e.bad("ref is required")
		} else if r, dup := refs[c.Ref]; dup {
			e.bad("ref %s repeats row %d", c.Ref, r)
		} else {
			refs[c.Ref] = e.row
		}
		if c.Name == "" {
			e.bad("name is required")
		}
		switch c.Tier = strings.ToLower(strings.TrimSpace(c.Tier)); c.Tier {
		case "":
			c.Tier = "standard"
		case "key", "standard":
		default:
			e.bad("tier %q is not key or standard", c.Tier)
		}
		if c.AccountValue < 0 || math.IsNaN(c.AccountValue) || math.IsInf(c.AccountValue, 0) {
			e.bad("account_value %v must be a positive amount", c.AccountValue)
		}
		if c.Owner != "" {
			if s, ok := im.staff[c.Owner]; !ok {
				e.bad("owner %q is not a staff email", c.Owner)
			} else if !s.Active {
				e.bad("owner %s is inactive", c.Owner)
			}
		}
		c.Emails = im.contacts(e, "email", c.Emails, contacts, owners)
		c.Phones = im.contacts(e, "phone", c.Phones, contacts, owners)
	}
	if im.p.DryRun {
		im.count(entries)
		return nil
	}
	m := ownerMove{At: im.p.At, Actor: "import", Reason: "imported from " + filepath.Base(im.p.Name), KeepUnset: true}
	for _, e := range entries {
		if len(e.problems) > 0 {
			continue
		}
		c := e.customer
		_, existed := im.byRef[c.Ref]
		moved, err := putCustomer(ctx, im.q, im.byRef, store.CustomerUpsertParams{
			ExternalRef: c.Ref, Name: c.Name, Company: strings.TrimSpace(c.Company), Tier: c.Tier,
			AccountValueCents: int64(math.Round(c.AccountValue * 100)), OwnerID: im.staff[c.Owner].ID,
			Emails: c.Emails, Phones: c.Phones,
		}, m)
		if err != nil {
			return err
		}
		if existed {
			im.res.Updated++
		} else {
			im.res.Created++
		}
		if moved {
			im.res.OwnerChanges++
		}
	}
	return nil
}

// contacts checks and normalises an entry's emails or phones: each must be
// readable, appear on no other row, and belong to no other customer.
func (im *importer) contacts(e *importEntry, kind string, values []string, claimed map[string]int, owners map[string]store.Customer) []string {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		var norm string
		if kind == "email" {
			a, err := mail.ParseAddress(v)
			if err != nil {
				e.bad("email %q: %v", v, err)
				continue
			}
			norm = strings.ToLower(a.Address)
		} else {
			n, err := twilio.NormalizeE164(v, im.p.Region)
			if err != nil {
				e.bad("phone: %v", err)
				continue
			}
			norm = n
		}
		if slices.Contains(out, norm) {
			continue
		}
		key := kind + ":" + norm
		if r, ok := claimed[key]; ok {
			e.bad("%s %s is also on row %d", kind, norm, r)
			continue
		}
		claimed[key] = e.row
		if c, ok := owners[key]; ok && c.ExternalRef != strings.TrimSpace(e.customer.Ref) {
			e.bad("%s %s belongs to customer %s", kind, norm, c.ExternalRef)
			continue
		}
		out = append(out, norm)
	}
	return out
}

// count tallies, in a dry run, what applying would create and update.
func (im *importer) count(entries []*importEntry) {
	for _, e := range entries {
		if len(e.problems) > 0 {
			continue
		}
		if im.res.Kind == ImportStaff {
			if _, ok := im.staff[e.staff.Email]; ok {
				im.res.Updated++
			} else {
				im.res.Created++
			}
			continue
		}
		old, ok := im.byRef[e.customer.Ref]
		if !ok {
			im.res.Created++
			continue
		}
		im.res.Updated++
		if o := im.staff[e.customer.Owner].ID; o != 0 && o != old.OwnerID {
			im.res.OwnerChanges++
		}
	}
}

// staffEntries checks every staff entry, writes the valid ones, and
// deactivates the missing ones when asked.
func (im *importer) staffEntries(ctx context.Context, entries []*importEntry) error {
	rows := map[string]*importEntry{} // email → its first entry
	phones := map[string]string{}     // phone → the email it is stored or listed with
	for _, s := range im.staff {
		if s.Phone != "" {
			phones[s.Phone] = s.Email
		}
	}
	for _, e := range entries {
		s := &e.staff
		s.Name = strings.TrimSpace(s.Name)
		s.Email = strings.ToLower(strings.TrimSpace(s.Email))
		s.Manager = strings.ToLower(strings.TrimSpace(s.Manager))
		if s.Name == "" {
			e.bad("name is required")
		}
		switch a, err := mail.ParseAddress(s.Email); {
		case s.Email == "":
			e.bad("email is required")
		case err != nil:
			e.bad("email %q: %v", s.Email, err)
		case a.Address != s.Email:
			e.bad("email %q: want a bare address like %s", s.Email, a.Address)
		}
		if first, dup := rows[s.Email]; dup && s.Email != "" {
			e.bad("email %s repeats row %d", s.Email, first.row)
		} else if s.Email != "" {
			rows[s.Email] = e
		}
		if s.Phone = strings.TrimSpace(s.Phone); s.Phone != "" {
			if n, err := twilio.NormalizeE164(s.Phone, im.p.Region); err != nil {
				e.bad("phone: %v", err)
			} else if other, taken := phones[n]; taken && other != s.Email {
				e.bad("phone %s is %s's", n, other)
			} else {
				s.Phone, phones[n] = n, s.Email
			}
		}
		if s.Role = strings.ToLower(strings.TrimSpace(s.Role)); s.Role == "" {
			s.Role = "agent"
		} else if !slices.Contains(staffRoles, s.Role) {
			e.bad("role %q is not one of %s", s.Role, strings.Join(staffRoles, ", "))
		}
		s.TimeZone = strings.TrimSpace(s.TimeZone)
		if loc, err := time.LoadLocation(s.TimeZone); err != nil {
			e.bad("time_zone %q: %v", s.TimeZone, err)
		} else if _, err := routing.ParseHours(s.Hours, loc); err != nil {
			e.bad("hours %q: %v", s.Hours, err)
		}
		if s.PasswordHash != "" {
			if err := web.ValidHash(s.PasswordHash); err != nil {
				e.bad("password_hash: %v (make one with `triage staff hash-password`)", err)
			}
		}
		aliases := s.Aliases[:0]
		for _, a := range s.Aliases {
			if a = strings.TrimSpace(a); a != "" {
				aliases = append(aliases, a)
			}
		}
		s.Aliases = aliases
	}
	im.checkManagers(entries, rows)
	if im.p.DryRun {
		im.count(entries)
	} else if err := im.writeStaff(ctx, entries); err != nil {
		return err
	}
	return im.deactivateMissing(ctx, entries)
}

// checkManagers rejects an entry whose manager is neither active staff
// nor a valid entry of the file, until no more are rejected (a manager's
// own rejection rejects the people under them).
func (im *importer) checkManagers(entries []*importEntry, rows map[string]*importEntry) {
	for _, e := range entries {
		m := e.staff.Manager
		switch s, stored := im.staff[m]; {
		case m == "":
		case m == e.staff.Email:
			e.bad("manager is themselves")
		case rows[m] != nil:
		case !stored:
			e.bad("manager %q is neither staff nor in this file", m)
		case !s.Active:
			e.bad("manager %s is inactive", m)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, e := range entries {
			if m := rows[e.staff.Manager]; len(e.problems) == 0 && m != nil && len(m.problems) > 0 {
				e.bad("manager %s is rejected (row %d)", e.staff.Manager, m.row)
				changed = true
			}
		}
	}
}

// writeStaff upserts the valid staff entries, managers first when they
// are in the file too (two passes, as SyncDirectory does).
func (im *importer) writeStaff(ctx context.Context, entries []*importEntry) error {
	ids := map[string]int64{}
	for email, s := range im.staff {
		ids[email] = s.ID
	}
	for pass := 0; pass < 2; pass++ {
		for _, e := range entries {
			if len(e.problems) > 0 {
				continue
			}
			s := e.staff
			old, existed := im.staff[s.Email]
			got, err := im.q.StaffUpsert(ctx, store.StaffUpsertParams{
				Name: s.Name, Email: s.Email, Phone: s.Phone, Role: s.Role, ManagerID: ids[s.Manager],
				TimeZone: s.TimeZone, Hours: s.Hours, Aliases: s.Aliases,
				// StaffUpsert replaces the hash: keep the stored login.
				PasswordHash: cmp.Or(s.PasswordHash, old.PasswordHash), Active: true,
			})
			if err != nil {
				return fmt.Errorf("load staff %s: %w", s.Email, err)
			}
			ids[s.Email] = got.ID
			if pass == 1 {
				if existed {
					im.res.Updated++
				} else {
					im.res.Created++
				}
				im.applied = append(im.applied, s.Email)
			}
		}
	}
	return nil
}

// deactivateMissing deactivates, when asked, the staff an earlier import
// loaded who are not in this file (rejected entries count as in it) and
// whom the configuration does not list, and remembers who was imported.
func (im *importer) deactivateMissing(ctx context.Context, entries []*importEntry) error {
	imported, err := readEmailSet(ctx, im.q, settingImportedStaff)
	if err != nil {
		return err
	}
	for _, email := range im.applied {
		imported[email] = true
	}
	if im.p.DeactivateMissing {
		if err := im.deactivateGone(ctx, entries, imported); err != nil {
			return err
		}
	}
	if im.p.DryRun {
		return nil
	}
	return writeEmailSet(ctx, im.q, settingImportedStaff, imported)
}

func (im *importer) deactivateGone(ctx context.Context, entries []*importEntry, imported map[string]bool) error {
	configured, err := readEmailSet(ctx, im.q, settingConfigStaff)
	if err != nil {
		return err
	}
	inFile := map[string]bool{}
	for _, e := range entries {
		inFile[e.staff.Email] = true
	}
	var gone []string
	for _, email := range slices.Sorted(maps.Keys(imported)) {
		if !inFile[email] && !configured[email] {
			gone = append(gone, email)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	def, err := im.q.StaffGetByEmail(ctx, im.p.DefaultOwner)
	switch {
	case im.p.DefaultOwner == "" || errors.Is(err, store.ErrNotFound):
		im.res.Problems = append(im.res.Problems, fmt.Sprintf("no default owner %q to take over the work of %s: nobody deactivated (policy.default_owner)",
			im.p.DefaultOwner, strings.Join(gone, ", ")))
		return nil
	case err != nil:
		return fmt.Errorf("load default owner %s: %w", im.p.DefaultOwner, err)
	}
	for _, email := range gone {
		s, err := im.q.StaffGetByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			delete(imported, email)
			continue
		}
		if err != nil {
			return fmt.Errorf("load staff %s: %w", email, err)
		}
		if s.ID == def.ID {
			im.res.Problems = append(im.res.Problems, fmt.Sprintf("%s is not in the file but is the default owner: not deactivated", email))
			continue
		}
		if im.p.DryRun {
			if s.Active {
				im.res.Deactivated = append(im.res.Deactivated, email)
			}
			continue
		}
		r, err := deactivateIn(ctx, im.q, DeactivateParams{StaffID: s.ID, DefaultOwnerID: def.ID, Actor: "import",
			At: im.p.At, Reason: "not in the imported staff file " + filepath.Base(im.p.Name)})
		if err != nil {
			return err
		}
		if r.WasActive {
			im.res.Deactivated = append(im.res.Deactivated, email)
		}
		delete(imported, email)
	}
	return nil
}
