package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// prepareResult is one workspace in `lifeboat prepare -o json`.
type prepareResult struct {
	Provider string  `json:"provider"`
	Dir      string  `json:"dir"`
	Already  bool    `json:"already_prepared"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
}

func newPrepareCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "prepare",
		Short: "Initialise every provider's workspace now, so a failover never waits on init",
		Long: `Runs init (against the configured mirror or plugin cache) and selects the
workspace for every provider with a terraform block, only where something
changed since the last time. Run it after changing a workspace and from
deployment scripts; a failover then starts applying at once.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			eng := engine.New(cfg, g.logger())
			defer eng.Close()
			results := []prepareResult{}
			var errs []error
			for _, p := range cfg.Providers {
				if p.Terraform == nil {
					continue
				}
				r := prepareResult{Provider: p.Name, Dir: p.Terraform.Dir}
				start := time.Now()
				ws, err := eng.Workspace(p.Name)
				if err == nil {
					r.Already = ws.Prepared()
					err = ws.Prepare(cmd.Context())
				}
				r.Seconds = time.Since(start).Seconds()
				if err != nil {
					r.Error = err.Error()
					errs = append(errs, fmt.Errorf("provider %s: %w", p.Name, err))
				}
				results = append(results, r)
				if !g.json() {
					switch {
					case err != nil:
						fmt.Fprintf(g.stdout, "%-16s FAILED  %s\n", p.Name, err)
					case r.Already:
						fmt.Fprintf(g.stdout, "%-16s ready   %s (nothing changed)\n", p.Name, p.Terraform.Dir)
					default:
						fmt.Fprintf(g.stdout, "%-16s ready   %s (initialised in %s)\n", p.Name, p.Terraform.Dir, time.Since(start).Round(time.Millisecond))
					}
				}
			}
			if g.json() {
				if err := writeJSON(g.stdout, map[string]any{"workspaces": results, "ok": len(errs) == 0}); err != nil {
					return err
				}
				if len(errs) > 0 {
					return silentError{errors.Join(errs...)}
				}
				return nil
			}
			return errors.Join(errs...)
		},
	}
}
