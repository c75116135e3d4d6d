package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/triage-gw/triage/gateway"
)

const importUsage = `usage: triage import [flags] FILE

Loads customers or staff into the directory from FILE: CSV (FILE ends in
.csv; a header row names the columns) or YAML (a list of entries with the
fields of customers_file and of staff in the configuration).

  customers  ref,name,company,tier,account_value,owner,emails,phones
  staff      name,email,phone,role,manager,time_zone,hours,aliases

In CSV, several emails, phones or aliases in one cell are separated by ";".
Required: ref and name (customers), name and email (staff). tier is key or
standard (default); owner and manager are emails of active staff (a manager
may also be in the same file); phones are read in voice.default_region
unless written with "+"; hours are read in the person's time_zone; an
email or phone may belong to one customer (or one staff member) only. An
existing customer with no owner in the file keeps the one it has; a change
of owner is recorded as one (actor "import"). Staff in YAML may carry a
password_hash (a bcrypt hash); otherwise a stored login is kept.

Every row is checked. The valid rows are applied together, in one
transaction, even when others are rejected; each rejected row is printed
with its number (rows count from 1, the CSV header is not a row), its line
and the reason, and the exit status is then 1.

flags:
`

// importCmd runs `triage import`.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	path := fs.String("config", "", "configuration file (YAML); none: defaults")
	kind := fs.String("kind", "", "customers or staff (default: guessed from the CSV header or the YAML fields)")
	dryRun := fs.Bool("dry-run", false, "check every row and report, writing nothing")
	missing := fs.Bool("deactivate-missing", false, "staff only: deactivate the staff an earlier import loaded who are not in FILE\n(the file is the directory); those the configuration lists are left to it,\nand their work goes to policy.default_owner")
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return flag.ErrHelp
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	st, err := openCLIStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := gateway.ImportDirectory(ctx, st, gateway.ImportParams{
		Name: pos[0], Data: data, Kind: gateway.ImportKind(strings.ToLower(*kind)), DryRun: *dryRun,
		DeactivateMissing: *missing, DefaultOwner: cfg.Policy.DefaultOwner, Region: cfg.Voice.DefaultRegion,
	})
	if err != nil {
		return err
	}
	for _, r := range res.Rejected {
		fmt.Fprintf(stderr, "import: rejected %s\n", r)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(stderr, "import: %s\n", p)
	}
	printImport(stdout, pos[0], res)
	if !res.Failed() {
		return nil
	}
	applied := res.Rows - len(res.Rejected)
	verb := "were applied"
	if res.DryRun {
		verb = "would be applied"
	}
	if len(res.Rejected) == 0 {
		return fmt.Errorf("import: %d problem(s) with -deactivate-missing; the %d rows %s", len(res.Problems), applied, verb)
	}
	return fmt.Errorf("import: %d of %d rows rejected; the other %d %s", len(res.Rejected), res.Rows, applied, verb)
}

// printImport says what an import did.
func printImport(w io.Writer, name string, res gateway.ImportResult) {
	var b strings.Builder
	if res.DryRun {
		b.WriteString("dry run, nothing written: ")
	}
	fmt.Fprintf(&b, "%s from %s: %d rows, %d created, %d updated, %d rejected", res.Kind, name, res.Rows, res.Created, res.Updated, len(res.Rejected))
	if res.Kind == gateway.ImportCustomers {
		fmt.Fprintf(&b, ", %d owner changes", res.OwnerChanges)
	}
	if len(res.Deactivated) > 0 {
		verb := "deactivated"
		if res.DryRun {
			verb = "would deactivate"
		}
		fmt.Fprintf(&b, "; %s: %s", verb, strings.Join(res.Deactivated, ", "))
	}
	fmt.Fprintf(w, "import: %s\n", b.String())
}
