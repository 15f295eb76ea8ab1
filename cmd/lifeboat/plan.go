package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newPlanCmd(g *globals) *cobra.Command {
	var f opFlags
	var failback bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a failover would do now, and why; changes nothing",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			eng := engine.New(cfg, g.logger())
			defer eng.Close()
			req := wire.Request{Kind: wire.KindManual, Service: f.service, From: f.from, To: f.to, AcceptDataLoss: f.acceptDataLoss}
			if failback {
				req.Kind, req.From = wire.KindFailback, ""
			}
			var out wire.Outcome
			c, err := findDaemon(cmd.Context(), cfg)
			switch {
			case err != nil:
				return err
			case c != nil:
				out, err = c.Plan(cmd.Context(), req, engine.Hooks{Progress: quietProgress(g)})
			default:
				out, err = eng.Plan(cmd.Context(), req, engine.Hooks{Progress: quietProgress(g)})
			}
			if errors.Is(err, engine.ErrInvalidRequest) {
				return usageError{err}
			}
			if err != nil && !errors.Is(err, engine.ErrBlocked) {
				return err
			}
			plan := out.Plan
			if g.json() {
				return writeJSON(g.stdout, plan)
			}
			if _, err := g.stdout.Write([]byte(plan.Text())); err != nil {
				return err
			}
			if out.Settled {
				fmt.Fprintf(g.stdout, "Nothing to move: %s.\n", out.Message)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.service, "service", "", "only this service")
	cmd.Flags().StringVar(&f.from, "from", "", "the provider to move away from (default: every provider seen lost)")
	cmd.Flags().StringVar(&f.to, "to", "", "the target provider (default: the planner's choice)")
	cmd.Flags().BoolVar(&failback, "failback", false, "plan the way back to each service's preferred provider")
	cmd.Flags().BoolVar(&f.acceptDataLoss, "accept-data-loss", false, "plan as `failover --accept-data-loss` would: a target whose data is older than the rpo may be taken")
	return cmd
}

// quietProgress shows only the confirmation rounds of a plan, on stderr.
func quietProgress(g *globals) func(wire.Event) {
	return func(ev wire.Event) {
		if ev.Step == "" && ev.Message != "checking every provider" {
			fmt.Fprintln(g.stderr, ev.Message)
		}
	}
}
