package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/triage-gw/triage/gateway"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := configCommand("serve", args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	g, err := gateway.Open(ctx, cfg, gateway.SetupOptions{Logger: log})
	if err != nil {
		return err
	}
	runErr := g.Run(ctx)
	if err := errors.Join(runErr, g.Close()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
