package main

import (
	"strings"
	"testing"

	"github.com/triage-gw/triage/gateway/store"
)

// import applies the good rows, names every rejected row with its number
// and reason, and fails; an owner change is recorded with actor "import".
func TestImportCommand(t *testing.T) {
	t.Parallel()
	forCLIEngines(t, func(t *testing.T, r cliRig) {
		tom, anna := r.staff(t, "tom@example.com"), r.staff(t, "anna@example.com")
		st := r.store(t)
		old, err := st.CustomerUpsert(t.Context(), store.CustomerUpsertParams{ExternalRef: "C-1", Name: "Acme", Tier: "standard", OwnerID: tom.ID})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		file := r.write(t, "customers.csv", "ref,name,tier,owner,emails,phones\n"+
			"C-1,Acme,key,anna@example.com,ops@acme.example,\n"+
			"C-2,Jane Doe,,tom@example.com,jane@doe.example;jd@doe.example,617-555-0150\n"+
			"C-3,Bad Owner,,ghost@example.com,,\n"+
			"C-4,Bad Email,,,not-an-email,\n")

		// A dry run reports the same and writes nothing.
		out, errOut, err := r.run(t, "", "import", "-config", r.cfgPath, "-dry-run", file)
		if err == nil || !strings.Contains(out, "dry run") || !strings.Contains(errOut, "row 3 (line 4, C-3)") {
			t.Errorf("import -dry-run = %v\nstdout:\n%s\nstderr:\n%s\nwant a failed dry run naming row 3", err, out, errOut)
		}
		st = r.store(t)
		if all, _ := st.CustomerList(t.Context()); len(all) != 1 {
			t.Errorf("the dry run wrote: %d customers, want 1", len(all))
		}
		st.Close()

		out, errOut, err = r.run(t, "", "import", file, "-config", r.cfgPath)
		if err == nil || !strings.Contains(err.Error(), "2 of 4 rows rejected") || !strings.Contains(err.Error(), "other 2 were applied") {
			t.Errorf("import = %v, want 2 of 4 rows rejected, the others applied", err)
		}
		for _, want := range []string{`row 3 (line 4, C-3): owner "ghost@example.com" is not a staff email`, "row 4 (line 5, C-4): email \"not-an-email\""} {
			if !strings.Contains(errOut, want) {
				t.Errorf("import stderr does not say %q:\n%s", want, errOut)
			}
		}
		if !strings.Contains(out, "customers from "+file+": 4 rows, 1 created, 1 updated, 2 rejected, 1 owner changes") {
			t.Errorf("import stdout:\n%s\nwant the summary", out)
		}

		st = r.store(t)
		defer st.Close()
		ctx := t.Context()
		jane, err := st.CustomerGetByContact(ctx, store.ContactPhone, "+16175550150")
		if err != nil || jane.ExternalRef != "C-2" || jane.OwnerID != tom.ID || len(jane.Emails) != 2 {
			t.Errorf("C-2 = %+v, %v; want created with its phone in E.164, Tom's, 2 emails", jane, err)
		}
		changes, _ := st.OwnerChangeList(ctx, old.ID, 0)
		if len(changes) != 1 || changes[0].FromOwnerID != tom.ID || changes[0].ToOwnerID != anna.ID || changes[0].Actor != "import" {
			t.Errorf("C-1 owner changes = %+v, want Tom → Anna by import", changes)
		}
		if all, _ := st.CustomerList(ctx); len(all) != 2 {
			t.Errorf("%d customers, want 2: the rejected rows are not applied", len(all))
		}
	})
}

// import -deactivate-missing makes the file the directory of imported
// staff, and leaves configured staff to the configuration.
func TestImportDeactivateMissingCommand(t *testing.T) {
	t.Parallel()
	forCLIEngines(t, func(t *testing.T, r cliRig) {
		first := r.write(t, "staff.yaml", `
- {name: Uma Ray, email: uma@example.com, phone: "+16175550160", manager: anna@example.com, time_zone: UTC}
- {name: Vic Hale, email: vic@example.com, manager: uma@example.com, hours: "Mon-Fri 09:00-17:00", time_zone: Europe/Paris}
`)
		out, errOut, err := r.run(t, "", "import", "-config", r.cfgPath, first)
		if err != nil || !strings.Contains(out, "staff from "+first+": 2 rows, 2 created") {
			t.Fatalf("import staff = %v\n%s%s", err, out, errOut)
		}
		if vic := r.staff(t, "vic@example.com"); vic.ManagerID != r.staff(t, "uma@example.com").ID || vic.TimeZone != "Europe/Paris" {
			t.Errorf("Vic = %+v, want managed by Uma, in Europe/Paris", vic)
		}
		second := r.write(t, "staff2.csv", "name,email,manager\nUma Ray,uma@example.com,anna@example.com\n")
		out, errOut, err = r.run(t, "", "import", "-config", r.cfgPath, "-kind", "staff", "-deactivate-missing", second)
		if err != nil || !strings.Contains(out, "deactivated: vic@example.com") {
			t.Fatalf("import -deactivate-missing = %v\n%s%s", err, out, errOut)
		}
		if r.staff(t, "vic@example.com").Active || !r.staff(t, "tom@example.com").Active || !r.staff(t, "uma@example.com").Active {
			t.Errorf("after -deactivate-missing want Vic inactive, Tom (configured) and Uma (in the file) active")
		}
		if _, _, err := r.run(t, "", "import", "-config", r.cfgPath, "-kind", "customers", "-deactivate-missing", second); err == nil {
			t.Errorf("import -kind customers -deactivate-missing = nil, want an error")
		}
	})
}

// import's help says that valid rows are applied even when others fail.
func TestImportHelp(t *testing.T) {
	t.Parallel()
	_, errOut, err := runCmd(t, t.Context(), "import", "-h")
	if err == nil || !strings.Contains(errOut, "even when others are rejected") || !strings.Contains(errOut, "-deactivate-missing") {
		t.Errorf("import -h = %v, printed:\n%s", err, errOut)
	}
}
