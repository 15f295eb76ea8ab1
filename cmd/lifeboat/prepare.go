package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

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
			results := eng.Prepare(cmd.Context(), func(r engine.PrepareResult) {
				if g.json() {
					return
				}
				switch {
				case r.Err() != nil:
					fmt.Fprintf(g.stdout, "%-16s FAILED  %s\n", r.Provider, r.Err())
				case r.Already:
					fmt.Fprintf(g.stdout, "%-16s ready   %s (nothing changed)\n", r.Provider, r.Dir)
				default:
					fmt.Fprintf(g.stdout, "%-16s ready   %s (initialised in %s)\n", r.Provider, r.Dir, time.Duration(r.Seconds*float64(time.Second)).Round(time.Millisecond))
				}
			})
			var errs []error
			for _, r := range results {
				if r.Err() != nil {
					errs = append(errs, r.Err())
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
