package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/web"
)

const staffUsage = `usage: triage staff <command> [flags]

commands:
  list                     list the staff: name, email, role, manager, active, dashboard login
  set-password EMAIL       set a staff member's dashboard password and end their sessions
  hash-password            print a bcrypt hash for a password_hash in the configuration
  deactivate EMAIL         deactivate a staff member: their sessions end and they cannot log
                           in; their accounts, active cases and open tasks go to
                           policy.default_owner (each move recorded); their history stays

A password is read twice without echo from a terminal, or as one line from
standard input when it is not a terminal, or from -password-file FILE (its
first line). It needs at least 12 characters. It is never printed.

A deactivation stays across restarts while the person stays listed in the
configuration; removing them from it deactivates them too, and listing them
again after that reactivates them.

flags (each command takes those that apply, before or after EMAIL):
`

// staffCmd runs `triage staff`.
func staffCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || args[0] == "help" {
		newStaffFlags("staff", stderr).fs.Usage()
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	want := map[string]int{"list": 0, "set-password": 1, "hash-password": 0, "deactivate": 1}
	n, known := want[sub]
	if !known {
		fmt.Fprintf(stderr, "triage staff: unknown command %q\n\n", sub)
		newStaffFlags("staff", stderr).fs.Usage()
		return flag.ErrHelp
	}
	f := newStaffFlags("staff "+sub, stderr)
	pos, err := f.parse(rest)
	if err != nil {
		return err
	}
	if len(pos) != n {
		return fmt.Errorf("staff %s: want %d argument(s), got %q", sub, n, pos)
	}
	if sub == "hash-password" {
		return hashPassword(stdin, stdout, stderr, *f.passwordFile)
	}
	cfg, err := loadConfig(*f.config)
	if err != nil {
		return err
	}
	st, err := openCLIStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		return staffList(ctx, st, stdout)
	case "set-password":
		return setPassword(ctx, st, pos[0], stdin, stdout, stderr, *f.passwordFile)
	default:
		return staffDeactivate(ctx, st, cfg, pos[0], *f.reason, stdout, stderr)
	}
}

// staffFlags are the flags of the staff commands.
type staffFlags struct {
	fs                           *flag.FlagSet
	config, passwordFile, reason *string
}

func newStaffFlags(name string, stderr io.Writer) staffFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, staffUsage)
		fs.PrintDefaults()
	}
	return staffFlags{
		fs:           fs,
		config:       fs.String("config", "", "configuration file (YAML); none: defaults"),
		passwordFile: fs.String("password-file", "", "read the password from the first line of FILE (set-password, hash-password)"),
		reason:       fs.String("reason", "deactivated with triage staff deactivate", "why, recorded with every change (deactivate)"),
	}
}

// parse reads flags placed before or after the positional arguments.
func (f staffFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			return nil, err
		}
		if f.fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, f.fs.Arg(0))
		args = f.fs.Args()[1:]
	}
}

// openCLIStore opens the configured store for a one-off command, logging
// to stderr at the configured level.
func openCLIStore(ctx context.Context, cfg config.Config, stderr io.Writer) (store.Store, error) {
	return gateway.OpenStore(ctx, cfg, newLogger(cfg.Log, stderr))
}

func staffList(ctx context.Context, st store.Store, stdout io.Writer) error {
	list, err := st.StaffList(ctx)
	if err != nil {
		return err
	}
	email := make(map[int64]string, len(list))
	for _, s := range list {
		email[s.ID] = s.Email
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tEMAIL\tROLE\tMANAGER\tACTIVE\tLOGIN")
	for _, s := range list {
		manager := "-"
		if s.ManagerID != 0 {
			manager = email[s.ManagerID]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Email, s.Role, manager, yesNo(s.Active), yesNo(s.PasswordHash != ""))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("staff list: %w", err)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// staffByEmail finds a staff member, with an error that says who is missing.
func staffByEmail(ctx context.Context, q store.Querier, email string) (store.Staff, error) {
	s, err := q.StaffGetByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("no staff member has the email %q", email)
	}
	return s, err
}

func setPassword(ctx context.Context, st store.Store, email string, stdin io.Reader, stdout, stderr io.Writer, file string) error {
	s, err := staffByEmail(ctx, st, email)
	if err != nil {
		return fmt.Errorf("set-password: %w", err)
	}
	pw, err := readPassword(stdin, stderr, file)
	if err != nil {
		return fmt.Errorf("set-password: %w", err)
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("set-password: %w", err)
	}
	err = st.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if err := tx.StaffSetPassword(ctx, s.ID, hash); err != nil {
			return err
		}
		return tx.SessionDeleteByStaff(ctx, s.ID)
	})
	if err != nil {
		return fmt.Errorf("set-password %s: %w", s.Email, err)
	}
	fmt.Fprintf(stdout, "set-password: new dashboard password stored for %s <%s>; their sessions were ended\n", s.Name, s.Email)
	if !s.Active {
		fmt.Fprintf(stdout, "set-password: note: %s is inactive and cannot log in until reactivated\n", s.Email)
	}
	return nil
}

func hashPassword(stdin io.Reader, stdout, stderr io.Writer, file string) error {
	pw, err := readPassword(stdin, stderr, file)
	if err != nil {
		return fmt.Errorf("hash-password: %w", err)
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("hash-password: %w", err)
	}
	fmt.Fprintln(stdout, hash)
	return nil
}

// readPassword reads a new password: the first line of file when one is
// given; else twice, without echo, from stdin when it is a terminal; else
// one line of stdin.
func readPassword(stdin io.Reader, stderr io.Writer, file string) (string, error) {
	var pw string
	switch f, isFile := stdin.(*os.File); {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw, _, _ = strings.Cut(string(b), "\n")
	case isFile && term.IsTerminal(int(f.Fd())):
		fmt.Fprint(stderr, "New password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Repeat it: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(again) {
			return "", errors.New("the two passwords differ")
		}
		pw = string(first)
	default:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimSuffix(line, "\n")
	}
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", errors.New("no password given")
	}
	return pw, nil
}

func staffDeactivate(ctx context.Context, st store.Store, cfg config.Config, email, reason string, stdout, stderr io.Writer) error {
	s, err := staffByEmail(ctx, st, email)
	if err != nil {
		return fmt.Errorf("deactivate: %w", err)
	}
	if cfg.Policy.DefaultOwner == "" {
		return errors.New("deactivate: the configuration names no policy.default_owner to take over their work")
	}
	def, err := staffByEmail(ctx, st, cfg.Policy.DefaultOwner)
	if err != nil {
		return fmt.Errorf("deactivate: default owner: %w (has the gateway been started with this configuration?)", err)
	}
	res, err := gateway.DeactivateStaff(ctx, st, gateway.DeactivateParams{
		StaffID: s.ID, DefaultOwnerID: def.ID, Actor: "cli", Reason: reason,
	})
	if err != nil {
		return err
	}
	if res.Changed() {
		state := "deactivated"
		if !res.WasActive {
			state = "was already inactive"
		}
		fmt.Fprintf(stdout, "deactivate: %s <%s> %s; moved to %s <%s>: %d accounts, %d active cases, %d open tasks\n",
			s.Name, s.Email, state, def.Name, def.Email, len(res.Customers), len(res.Cases), len(res.Tasks))
	} else {
		fmt.Fprintf(stdout, "deactivate: %s <%s> is already inactive and owns nothing: nothing changed\n", s.Name, s.Email)
	}
	return nil
}
