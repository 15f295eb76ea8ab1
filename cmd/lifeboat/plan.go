package main

import (
	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/planner"
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
			pl, err := currentPlacement(cmd.Context(), g, eng)
			if err != nil {
				return err
			}
			req := planner.Request{Kind: planner.KindManual, Service: f.service, From: f.from, To: f.to}
			if failback {
				req.Kind, req.From = planner.KindFailback, ""
			}
			in, err := eng.PlannerInput(cmd.Context(), pl, req)
			if err != nil {
				return err
			}
			plan, err := planner.Plan(in)
			if err != nil {
				return usageError{err}
			}
			if g.json() {
				return writeJSON(g.stdout, plan)
			}
			_, err = g.stdout.Write([]byte(plan.Text()))
			return err
		},
	}
	cmd.Flags().StringVar(&f.service, "service", "", "only this service")
	cmd.Flags().StringVar(&f.from, "from", "", "the provider to move away from (default: every provider seen lost)")
	cmd.Flags().StringVar(&f.to, "to", "", "the target provider (default: the planner's choice)")
	cmd.Flags().BoolVar(&failback, "failback", false, "plan the way back to each service's preferred provider")
	return cmd
}
