package gateway_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
)

// rejectedRows maps each rejected row to its reason.
func rejectedRows(res gateway.ImportResult) map[int]string {
	m := map[int]string{}
	for _, r := range res.Rejected {
		m[r.Row] = r.Reason
	}
	return m
}

// A customers CSV: the good rows are applied in one go, each bad row is
// rejected with its reason, and an owner change is recorded as one.
func TestImportCustomersCSV(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		anna := mustSync(t, st, cfg, syncAnna, syncTom)
		tom := staffNamed(t, st, "tom@example.com")
		old, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "C-1", Name: "Acme", Tier: "standard",
			OwnerID: tom.ID, Emails: []string{"ops@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "C-9", Name: "Initech", Tier: "standard",
			Emails: []string{"bill@initech.example"}}); err != nil {
			t.Fatal(err)
		}
		csv := "ref,name,company,tier,account_value,owner,emails,phones\n" +
			"C-1,Acme Corp,Acme,key,2500,anna@example.com,ops@acme.example;ap@acme.example,(617) 555-0150\n" + // row 1: update, owner change
			"C-2,Jane Doe,,standard,25.50,tom@example.com,jane@doe.example,+16175550151\n" + // row 2: new
			"C-3,,Nameless,standard,,,,\n" + // row 3: no name
			"C-4,Bad Tier,,gold,,,,\n" + // row 4: unknown tier
			"C-5,Ghost Owned,,,,ghost@example.com,,\n" + // row 5: unknown owner
			"C-6,Bad Phone,,,,,,12\n" + // row 6: bad phone
			"C-2,Twice,,,,,,\n" + // row 7: repeated ref
			"C-8,Taker,,,,,bill@initech.example,\n" + // row 8: another customer's email
			"C-10,Bad Value,,,lots,,,\n" // row 9: account_value not a number
		res, err := gateway.ImportDirectory(ctx, st, gateway.ImportParams{Name: "customers.csv", Data: []byte(csv), Region: "US"})
		if err != nil {
			t.Fatalf("ImportDirectory() = %v", err)
		}
		if res.Kind != gateway.ImportCustomers || res.Rows != 9 || res.Created != 1 || res.Updated != 1 || res.OwnerChanges != 1 {
			t.Errorf("ImportDirectory() = %+v; want customers, 9 rows, 1 created, 1 updated, 1 owner change", res)
		}
		want := map[int]string{3: "name is required", 4: `tier "gold"`, 5: "ghost@example.com", 6: "phone",
			7: "repeats row 2", 8: "belongs to customer C-9", 9: "account_value"}
		got := rejectedRows(res)
		for row, reason := range want {
			if !strings.Contains(got[row], reason) {
				t.Errorf("row %d rejected for %q, want a reason with %q", row, got[row], reason)
			}
		}
		if len(got) != len(want) {
			t.Errorf("rejected rows %v, want exactly rows 3-9", got)
		}
		for _, r := range res.Rejected {
			if r.Line != r.Row+1 {
				t.Errorf("rejection %v: line %d, want row+1 (the header is line 1)", r, r.Line)
			}
		}

		acme, err := st.CustomerGetByID(ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acme.Name != "Acme Corp" || acme.Tier != "key" || acme.AccountValueCents != 250000 || acme.OwnerID != anna ||
			len(acme.Emails) != 2 || len(acme.Phones) != 1 || acme.Phones[0] != "+16175550150" {
			t.Errorf("C-1 after import = %+v; want renamed, key, 2500.00, Anna's, 2 emails, phone +16175550150", acme)
		}
		changes, _ := st.OwnerChangeList(ctx, old.ID, 0)
		if len(changes) != 1 || changes[0].FromOwnerID != tom.ID || changes[0].ToOwnerID != anna ||
			changes[0].Actor != "import" || !strings.Contains(changes[0].Reason, "customers.csv") {
			t.Errorf("C-1 owner changes = %+v, want Tom → Anna by import, naming the file", changes)
		}
		jane, err := st.CustomerGetByContact(ctx, store.ContactEmail, "jane@doe.example")
		if err != nil || jane.ExternalRef != "C-2" || jane.OwnerID != tom.ID || jane.AccountValueCents != 2550 {
			t.Errorf("C-2 = %+v, %v; want created, Tom's, 25.50", jane, err)
		}
		if _, err := st.CustomerGetByContact(ctx, store.ContactEmail, "bill@initech.example"); err != nil {
			t.Errorf("Initech's email moved: %v", err)
		}
		all, _ := st.CustomerList(ctx)
		if len(all) != 3 {
			t.Errorf("%d customers after import, want 3 (C-1, C-2, C-9): rejected rows must not be applied", len(all))
		}
	})
}

// A staff YAML file: managers may be in the same file (listed after the
// people they manage), a bad manager rejects the people under them too,
// and -dry-run writes nothing.
func TestImportStaffYAML(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		mustSync(t, st, cfg, syncAnna)
		yaml := `
- {name: Uma Ray, email: UMA@example.com, phone: "617-555-0160", manager: zoe@example.com, time_zone: America/New_York, hours: "Mon-Fri 09:00-17:00", aliases: [Uma]}
- {name: Zoe Park, email: zoe@example.com, role: manager, manager: anna@example.com, time_zone: Europe/Paris}
- {name: Vic Hale, email: vic@example.com, role: boss, time_zone: Mars/Olympus}
- {name: Wes Bell, email: wes@example.com, manager: vic@example.com}
- {name: Xan Roe, email: xan@example.com, hours: "Someday"}
- {name: Yul Tan, email: yul@example.com, favourite_colour: blue}
- {name: Dee Dup, email: dee@example.com, phone: "+16175550160"}
`
		p := gateway.ImportParams{Name: "staff.yaml", Data: []byte(yaml), Region: "US", DryRun: true}
		dry, err := gateway.ImportDirectory(ctx, st, p)
		if err != nil {
			t.Fatalf("ImportDirectory(dry run) = %v", err)
		}
		if list, _ := st.StaffList(ctx); len(list) != 1 {
			t.Errorf("a dry run wrote staff: %d in the store, want 1", len(list))
		}
		p.DryRun = false
		res, err := gateway.ImportDirectory(ctx, st, p)
		if err != nil {
			t.Fatalf("ImportDirectory() = %v", err)
		}
		if res.Kind != gateway.ImportStaff || res.Created != 2 || dry.Created != 2 || len(dry.Rejected) != len(res.Rejected) {
			t.Errorf("ImportDirectory() = %+v, dry run %+v; want staff, 2 created, the same rejections", res, dry)
		}
		want := map[int]string{3: "role \"boss\"", 4: "manager vic@example.com is rejected (row 3)", 5: "hours", 6: "favourite_colour",
			7: "phone +16175550160 is uma@example.com's"}
		got := rejectedRows(res)
		for row, reason := range want {
			if !strings.Contains(got[row], reason) {
				t.Errorf("row %d rejected for %q, want a reason with %q", row, got[row], reason)
			}
		}
		if !strings.Contains(got[3], "Mars/Olympus") {
			t.Errorf("row 3 = %q, want the bad time zone named too", got[3])
		}
		if len(got) != len(want) {
			t.Errorf("rejected rows %v, want rows 3-7", got)
		}
		uma := staffNamed(t, st, "uma@example.com")
		zoe := staffNamed(t, st, "zoe@example.com")
		if uma.ManagerID != zoe.ID || uma.Phone != "+16175550160" || uma.Role != "agent" || !uma.Active || len(uma.Aliases) != 1 {
			t.Errorf("Uma = %+v; want managed by Zoe (%d), phone in E.164, agent, active, one alias", uma, zoe.ID)
		}
	})
}

// -deactivate-missing: the staff an earlier import loaded and this file
// leaves out are deactivated; configured staff and rejected rows are not.
func TestImportDeactivateMissing(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		ctx := t.Context()
		anna := mustSync(t, st, cfg, syncAnna, syncTom)
		first := "name,email,manager\nUma Ray,uma@example.com,anna@example.com\nVic Hale,vic@example.com,\nWes Bell,wes@example.com,\nTom Baker,tom@example.com,anna@example.com\n"
		if res, err := gateway.ImportDirectory(ctx, st, gateway.ImportParams{Name: "staff.csv", Data: []byte(first)}); err != nil || res.Failed() {
			t.Fatalf("first import = %+v, %v", res, err)
		}
		vic := staffNamed(t, st, "vic@example.com")
		cust, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "C-1", Name: "Acme", Tier: "standard", OwnerID: vic.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Vic and Tom are left out; Wes's row is rejected (bad phone).
		second := "name,email,phone\nUma Ray,uma@example.com,\nWes Bell,wes@example.com,nope\n"
		p := gateway.ImportParams{Name: "staff.csv", Data: []byte(second), DeactivateMissing: true, DefaultOwner: "anna@example.com", DryRun: true}
		dry, err := gateway.ImportDirectory(ctx, st, p)
		if err != nil || fmt.Sprint(dry.Deactivated) != "[vic@example.com]" || !staffNamed(t, st, "vic@example.com").Active {
			t.Errorf("dry run = %+v, %v; want Vic listed, still active", dry, err)
		}
		p.DryRun = false
		res, err := gateway.ImportDirectory(ctx, st, p)
		if err != nil {
			t.Fatalf("ImportDirectory(-deactivate-missing) = %v", err)
		}
		if fmt.Sprint(res.Deactivated) != "[vic@example.com]" || len(res.Rejected) != 1 {
			t.Errorf("ImportDirectory(-deactivate-missing) = %+v; want Vic deactivated, Wes's row rejected", res)
		}
		if staffNamed(t, st, "vic@example.com").Active {
			t.Errorf("Vic is still active")
		}
		for _, email := range []string{"wes@example.com", "tom@example.com", "uma@example.com"} {
			if !staffNamed(t, st, email).Active {
				t.Errorf("%s was deactivated; want kept (rejected row, configured, or in the file)", email)
			}
		}
		changes, _ := st.OwnerChangeList(ctx, cust.ID, 0)
		if len(changes) != 1 || changes[0].ToOwnerID != anna || changes[0].Actor != "import" {
			t.Errorf("Vic's customer's owner changes = %+v, want one to Anna by import", changes)
		}

		// Without -deactivate-missing a smaller file deactivates nobody.
		if res, err := gateway.ImportDirectory(ctx, st, gateway.ImportParams{Name: "staff.csv", Data: []byte("name,email\nUma Ray,uma@example.com\n")}); err != nil || len(res.Deactivated) != 0 {
			t.Errorf("import without -deactivate-missing = %+v, %v; want nobody deactivated", res, err)
		}
		if !staffNamed(t, st, "wes@example.com").Active {
			t.Errorf("Wes deactivated by an import without -deactivate-missing")
		}
	})
}

// A file the importer cannot read as a whole fails without writing.
func TestImportFileErrors(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, cfg config.Config) {
		for name, tc := range map[string]struct{ file, data, want string }{
			"unknown column": {"x.csv", "ref,name,colour\nC-1,A,red\n", `unknown customers column "colour"`},
			"no kind":        {"x.csv", "name,phone\nA,+16175550150\n", "-kind"},
			"missing column": {"x.csv", "email\na@example.com\n", `"name" is required`},
			"not a list":     {"x.yaml", "ref: C-1\n", "want a list"},
			"empty":          {"x.yaml", "", "no entries"},
		} {
			_, err := gateway.ImportDirectory(t.Context(), st, gateway.ImportParams{Name: tc.file, Data: []byte(tc.data)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: ImportDirectory() = %v, want an error with %q", name, err, tc.want)
			}
		}
		if _, err := gateway.ImportDirectory(t.Context(), st, gateway.ImportParams{Name: "x.csv", Data: []byte("ref,name\nC-1,A\n"), DeactivateMissing: true}); err == nil {
			t.Errorf("-deactivate-missing with customers = nil, want an error")
		}
	})
}

// The importer never panics and never writes in a dry run, whatever the
// file holds.
func FuzzImportDirectory(f *testing.F) {
	f.Add("c.csv", "ref,name,emails,phones\nC-1,A,a@example.com;b@example.com,+16175550150\n")
	f.Add("s.csv", "name,email,manager,hours,time_zone\nA,a@example.com,b@example.com,Mon-Fri 09:00-17:00,UTC\n")
	f.Add("s.yaml", "- {name: A, email: a@example.com, aliases: [x]}\n- [1, 2]\n- {email: 3}\n")
	f.Add("c.yaml", "- {ref: C-1, name: A, account_value: -1, tier: key}\n")
	cfg := config.Default()
	cfg.DataDir = f.TempDir()
	st, err := gateway.OpenStore(f.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	f.Fuzz(func(t *testing.T, name, data string) {
		if _, err := gateway.ImportDirectory(t.Context(), st, gateway.ImportParams{Name: name, Data: []byte(data), DryRun: true, Region: "US"}); err != nil {
			return
		}
		if list, err := st.StaffList(t.Context()); err != nil || len(list) != 0 {
			t.Fatalf("a dry run wrote: %d staff, %v", len(list), err)
		}
	})
}
