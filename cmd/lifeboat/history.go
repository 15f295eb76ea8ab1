package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var limit int
	var drills bool
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past operations from the journal, with their timelines",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			if drills {
				return printDrills(cmd.Context(), g, s.eng, limit)
			}
			ops, err := s.eng.History(cmd.Context(), limit)
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.stdout, engine.HistoryDoc{Operations: ops})
			}
			if len(ops) == 0 {
				fmt.Fprintln(g.stdout, "No operations yet.")
				return nil
			}
			for i, op := range ops {
				if i > 0 {
					fmt.Fprintln(g.stdout)
				}
				if err := op.WriteText(g.stdout); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many operations (or drill reports), newest first (0 for all)")
	cmd.Flags().BoolVar(&drills, "drills", false, "list drill reports instead of operations")
	return cmd
}
