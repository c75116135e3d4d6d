package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jdkato/prose/v2"

	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/nlp"
)

// bench measures the intake pipeline on the demo's mail, stage by stage,
// over several rounds, and prints medians with prose's defaults as the
// baseline measured in the same run.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", 5, "rounds per stage; medians are reported")
	messages := fs.Int("messages", 240, "messages per round")
	database := fs.String("database", "", "database URL for the ingest stage (default: SQLite in a temporary directory)")
	baseline := fs.Int("baseline", 2, "messages per round scored by prose's defaults (0: skip the baseline)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 || *messages < 1 || *baseline < 0 {
		return errors.New("bench: -rounds and -messages must be at least 1, -baseline at least 0")
	}
	dir, err := os.MkdirTemp("", "triage-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir, cfg.Database.URL = dir, *database
	cfg.Staff, cfg.Policy.DefaultOwner = demoStaff, "lee@demo.example"
	cfg.CustomersFile = filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(cfg.CustomersFile, []byte(demoCustomers), 0o600); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	g, err := gateway.Open(ctx, cfg, gateway.SetupOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer g.Close()
	analyzer, err := gateway.LoadAnalyzer("")
	if err != nil {
		return err
	}

	now := time.Now()
	raws := make([][]byte, *messages)
	inputs := make([]nlp.Input, *messages)
	for i := range raws {
		raws[i] = demoMails[i%len(demoMails)].raw(i, now)
		m, err := mail.Parse(bytes.NewReader(raws[i]), mail.Options{})
		if err != nil {
			return fmt.Errorf("bench: demo mail %d: %w", i, err)
		}
		inputs[i] = nlp.Input{Subject: m.Subject, Text: m.NewText, Channel: nlp.ChannelEmail, Date: m.Date}
	}
	fmt.Fprintf(stdout, "bench: %d rounds of %d demo emails (median message %d bytes); store %s\n",
		*rounds, *messages, medianLen(raws), storeName(*database))
	fmt.Fprintf(stdout, "%-28s %12s %12s %12s %12s\n", "stage", "msgs/s", "min", "max", "µs/msg")

	stages := []struct {
		name string
		n    int
		run  func(i int) error
	}{
		{"parse (channels/mail)", *messages, func(i int) error {
			_, err := mail.Parse(bytes.NewReader(raws[i]), mail.Options{})
			return err
		}},
		{"nlp.Analyze", *messages, func(i int) error { analyzer.Analyze(inputs[i]); return nil }},
		{"ingest (parse+nlp+route+tx)", *messages, nil}, // set below: unique ids per round
		{"prose defaults (baseline)", *baseline, func(i int) error {
			_, err := prose.NewDocument(inputs[i].Subject + "\n" + inputs[i].Text)
			return err
		}},
	}
	round := 0
	stages[2].run = func(i int) error {
		_, err := g.IngestEmail(ctx, uniqueID(raws[i], round), fmt.Sprintf("bench:%d:%d", round, i))
		return err
	}
	medians := map[string]float64{}
	for _, st := range stages {
		if st.n == 0 {
			continue
		}
		var rates []float64
		for round = range *rounds {
			start := time.Now()
			for i := range st.n {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := st.run(i); err != nil {
					return fmt.Errorf("bench %s: %w", st.name, err)
				}
			}
			rates = append(rates, float64(st.n)/time.Since(start).Seconds())
		}
		slices.Sort(rates)
		med := rates[len(rates)/2]
		medians[st.name] = med
		fmt.Fprintf(stdout, "%-28s %12.1f %12.1f %12.1f %12.1f\n", st.name, med, rates[0], rates[len(rates)-1], 1e6/med)
	}
	if base := medians["prose defaults (baseline)"]; base > 0 {
		fmt.Fprintf(stdout, "nlp.Analyze is %.0f× prose's defaults in this run\n", medians["nlp.Analyze"]/base)
	}
	return nil
}

// uniqueID gives a demo message a Message-ID of its own for one round, so
// that every ingest is a new message rather than a duplicate.
func uniqueID(raw []byte, round int) []byte {
	return bytes.Replace(raw, []byte("Message-ID: <demo-"), fmt.Appendf(nil, "Message-ID: <bench-%d-", round), 1)
}

func medianLen(raws [][]byte) int {
	ls := make([]int, len(raws))
	for i, r := range raws {
		ls[i] = len(r)
	}
	slices.Sort(ls)
	return ls[len(ls)/2]
}

func storeName(url string) string {
	if url == "" {
		return "SQLite (temporary)"
	}
	return "from -database"
}
