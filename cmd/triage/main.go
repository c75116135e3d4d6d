// Command triage runs the email and voicemail triage gateway.
//
// Usage:
//
//	triage serve   [-config FILE]   run the gateway
//	triage demo    [-exit-after D]  run a self-contained demo (nothing to install)
//	triage migrate [-config FILE]   apply database migrations and exit
//	triage score   [flags] FILE|-   score messages and print the assessment
//	triage bench   [flags]          measure the intake pipeline's throughput
//	triage staff   <command>        list staff, set passwords, deactivate
//	triage import  [flags] FILE     load customers or staff from CSV or YAML
//	triage audit   [flags]          print the response-time audit of a period
//	triage version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/triage-gw/triage/gateway/config"
)

const version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "triage:", err)
		os.Exit(1)
	}
}

const usage = `usage: triage <command> [flags]

commands:
  serve    run the gateway (-config FILE; no file: defaults, SQLite under ./data)
  demo     run a self-contained demo: in-process mailbox, Twilio stand-in, SQLite
  migrate  apply database migrations and exit (-config FILE)
  score    score messages (.eml or text) and print the assessment
  bench    measure parsing, scoring and ingest throughput (medians over rounds)
  train    train the NLP stage's learned layer on a labeled set (writes
           configs/nlp/model.json)
  staff    list staff, set or hash dashboard passwords, deactivate someone
           (staff list | set-password EMAIL | hash-password | deactivate EMAIL)
  import   load customers or staff from a CSV or YAML file; valid rows are
           applied even when others are rejected (exit status 1)
  audit    print the response-time audit of a period (table, CSV or JSON)
  version  print the version

Run 'triage <command> -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "demo":
		return demo(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "score":
		return score(ctx, rest, stdin, stdout, stderr)
	case "bench":
		return bench(ctx, rest, stdout, stderr)
	case "train":
		return train(ctx, rest, stdout, stderr)
	case "staff":
		return staffCmd(ctx, rest, stdin, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	case "audit":
		return auditCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "triage", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "triage: unknown command %q\n\n%s", cmd, usage)
	return flag.ErrHelp
}

// configCommand parses the flags of a command whose only flag is -config
// and loads that configuration.
func configCommand(name string, args []string, stderr io.Writer) (config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML); none: defaults")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	if fs.NArg() > 0 {
		return config.Config{}, fmt.Errorf("%s: unexpected arguments %q", name, fs.Args())
	}
	if *path == "" {
		l := newLogger(config.Default().Log, stderr)
		l.Info("no -config given: running on defaults")
	}
	return loadConfig(*path)
}

// loadConfig reads path, or returns the defaults when path is "".
func loadConfig(path string) (config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	return config.Load(path)
}

// newLogger builds the slog logger the configuration asks for.
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
