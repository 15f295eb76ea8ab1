package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var limit int
	var drills, decisions bool
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
			switch {
			case drills && decisions:
				return usageError{errors.New("--drills and --decisions are two different lists: pick one")}
			case drills:
				return printDrills(cmd.Context(), g, s.eng, limit)
			case decisions:
				return printDecisions(cmd.Context(), g, s.eng, limit)
			}
			var doc wire.HistoryDoc
			c, err := findDaemon(cmd.Context(), s.eng.Cfg)
			switch {
			case err != nil:
				return err
			case c != nil:
				doc, err = c.History(cmd.Context(), limit)
			default:
				doc.Operations, err = s.eng.History(cmd.Context(), limit)
			}
			if err != nil {
				return err
			}
			ops := doc.Operations
			if g.json() {
				return writeJSON(g.stdout, wire.HistoryDoc{Operations: ops})
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
	cmd.Flags().BoolVar(&decisions, "decisions", false, "list the daemon's decisions (acted on or held back, and why) and hold switch changes")
	return cmd
}

// printDecisions lists the daemon's decisions, newest first.
func printDecisions(ctx context.Context, g *globals, eng *engine.Engine, limit int) error {
	var doc wire.DecisionsDoc
	c, err := findDaemon(ctx, eng.Cfg)
	switch {
	case err != nil:
		return err
	case c != nil:
		doc, err = c.Decisions(ctx, limit)
	default:
		doc.Decisions, err = eng.Decisions(ctx, limit)
	}
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.stdout, doc)
	}
	if len(doc.Decisions) == 0 {
		fmt.Fprintln(g.stdout, "No decisions yet: the daemon (lifeboat run) journals them.")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tKIND\tOPERATION\tSUMMARY")
	for _, r := range doc.Decisions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.At.Local().Format(time.DateTime), r.Kind, orDash(r.OpID), r.Summary)
	}
	return tw.Flush()
}
