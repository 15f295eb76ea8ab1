package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

func newPrepareCmd(g *globals) *cobra.Command {
	var migrate, reconfigure bool
	cmd := &cobra.Command{
		Use:   "prepare",
		Short: "Initialise every provider's workspace now, so a failover never waits on init",
		Long: `Runs init (against the configured mirror or plugin cache) and selects the
workspace for every provider with a terraform block, only where something
changed since the last time. Run it after changing a workspace and from
deployment scripts; a failover then starts applying at once. With a daemon
running, the daemon prepares its workspaces, between its operations.

After a change to a workspace's backend (its backend_config, or the backend
block), init refuses until told what to do with the state: --migrate-state
copies it to the new backend, --reconfigure uses the new backend's own
state and copies nothing. lifeboat passes the backend_config (secrets
included) to init itself: running the CLI's init by hand would not.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			change := engine.BackendKeep
			switch {
			case migrate && reconfigure:
				return usageError{errors.New("--migrate-state and --reconfigure are mutually exclusive: copy the state to the new backend, or use the new backend's own")}
			case migrate:
				change = engine.BackendMigrate
			case reconfigure:
				change = engine.BackendReconfigure
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			var results []engine.PrepareResult
			c, err := findDaemon(cmd.Context(), cfg)
			switch {
			case err != nil:
				return err
			case c != nil:
				// The daemon applies in these workspaces: it inits them
				// in its operation slot, never beside an apply of its own.
				fmt.Fprintln(g.stderr, "lifeboat: a daemon is running; the workspaces are prepared in it")
				if results, err = c.Prepare(cmd.Context(), change); err != nil {
					return err
				}
				for _, r := range results {
					printPrepared(g, r)
				}
			default:
				eng := engine.New(cfg, g.logger())
				defer eng.Close()
				results = eng.Prepare(cmd.Context(), change, func(r engine.PrepareResult) { printPrepared(g, r) })
			}
			var errs []error
			for _, r := range results {
				if err := prepareErr(r); err != nil {
					errs = append(errs, err)
				}
			}
			if g.json() {
				if err := writeJSON(g.stdout, map[string]any{"workspaces": results, "ok": len(errs) == 0}); err != nil {
					return err
				}
			}
			if len(errs) > 0 {
				// Each failure is on its workspace's line already.
				return silentError{errors.Join(errs...)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&migrate, "migrate-state", false, "where the backend configuration changed, copy the state to the new backend")
	cmd.Flags().BoolVar(&reconfigure, "reconfigure", false, "where the backend configuration changed, use the new backend's own state (nothing copied)")
	return cmd
}

// printPrepared is one workspace's line of `lifeboat prepare`.
func printPrepared(g *globals, r engine.PrepareResult) {
	if g.json() {
		return
	}
	switch {
	case prepareErr(r) != nil:
		fmt.Fprintf(g.stdout, "%-16s FAILED  %s\n", r.Provider, prepareErr(r))
	case r.Already:
		fmt.Fprintf(g.stdout, "%-16s ready   %s (nothing changed)\n", r.Provider, r.Dir)
	default:
		fmt.Fprintf(g.stdout, "%-16s ready   %s (initialised in %s)\n", r.Provider, r.Dir, time.Duration(r.Seconds*float64(time.Second)).Round(time.Millisecond))
	}
}

// prepareErr is a workspace's error, also when the result came from the
// daemon (only its text crosses the socket).
func prepareErr(r engine.PrepareResult) error {
	if err := r.Err(); err != nil {
		return err
	}
	if r.Error != "" {
		return fmt.Errorf("provider %s: %s", r.Provider, r.Error)
	}
	return nil
}
