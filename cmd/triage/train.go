package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/nlp"
)

// train fits the NLP stage's learned layer on a labeled set and writes its
// weights where the embedded configuration picks them up.
func train(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: triage train [-data DIR] [-rules DIR] [-out FILE] [-seed N] [-folds N]")
		fmt.Fprintln(stderr, "Fits the learned layer's heads (category, tone, urgency, staff) on every")
		fmt.Fprintln(stderr, "batch-*.yaml under -data, over the features of the rules in -rules, and")
		fmt.Fprintln(stderr, "writes the weights to -out. Deterministic for a given seed.")
		fs.PrintDefaults()
	}
	data := fs.String("data", "testdata/nlp/v2/train", "labeled set: a folder of batch-*.yaml files (searched recursively)")
	rules := fs.String("rules", "configs/nlp", "the NLP configuration the features are read with (its model.json is ignored)")
	out := fs.String("out", "configs/nlp/model.json", "where to write the weights")
	seed := fs.Int64("seed", 1, "seed of the cross-validation folds")
	folds := fs.Int("folds", 5, "cross-validation folds")
	lambdas := fs.String("lambdas", "", "comma-separated L2 strengths to cross-validate (default: 3e-5,1e-4,3e-4,1e-3)")
	quiet := fs.Bool("q", false, "do not report progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("train: unexpected arguments %q", fs.Args())
	}
	var grid []float64
	for _, f := range strings.Split(*lambdas, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("train: -lambdas: %q is not a positive number", f)
		}
		grid = append(grid, v)
	}
	cfg, err := nlp.LoadConfig(os.DirFS(*rules))
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	cfg.Model = nil
	a, err := nlp.New(cfg)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	items, err := nlp.ReadLabeled(os.DirFS(*data), ".")
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	start := time.Now()
	logf := func(format string, args ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
		}
	}
	logf("%d labeled messages from %s", len(items), *data)
	cmdline := fmt.Sprintf("triage train -data %s -rules %s -seed %d -folds %d", filepath.ToSlash(*data), filepath.ToSlash(*rules), *seed, *folds)
	if *lambdas != "" {
		cmdline += " -lambdas " + *lambdas
	}
	m, err := a.Train(items, nlp.TrainOptions{Seed: *seed, Folds: *folds, Lambdas: grid, Command: cmdline, Log: logf})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("train: encode model: %w", err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	var cv []string
	for _, k := range []string{"category_accuracy", "tone_macro_f1", "tone3_macro_f1", "urgent_f1", "staff_f1"} {
		cv = append(cv, fmt.Sprintf("%s %.3f", k, m.Training.CV[k]))
	}
	fmt.Fprintf(stdout, "wrote %s (%d KB): %d messages; cross-validated %s\n", *out, len(b)>>10, len(items), strings.Join(cv, ", "))
	return nil
}
