package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newDrillCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "drill NAME",
		Short: "Run a drill now: readiness, canary, full or restore, as configured",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("%s needs the name of a drill block, such as `%s weekly`", cmd.CommandPath(), cmd.CommandPath())}
			}
			if len(args) != 1 {
				return usageError{fmt.Errorf("%s takes one drill name, got %q", cmd.CommandPath(), args)}
			}
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			// Progress on stderr: stdout carries the report only.
			hooks := engine.Hooks{Progress: func(ev wire.Event) { drillProgress(g, s.start, ev) }}
			var rep wire.DrillReport
			c, err := findDaemon(cmd.Context(), s.eng.Cfg)
			switch {
			case err != nil:
				return err
			case c != nil:
				fmt.Fprintln(g.stderr, "lifeboat: a daemon is running; the drill runs in it")
				rep, err = c.Drill(cmd.Context(), args[0], hooks)
			default:
				rep, err = s.eng.Drill(cmd.Context(), args[0], hooks)
			}
			if errors.Is(err, engine.ErrInvalidRequest) {
				return usageError{err}
			}
			if rep.Name == "" {
				return err
			}
			if g.json() {
				if werr := writeJSON(g.stdout, rep); werr != nil {
					return werr
				}
			} else if werr := rep.WriteText(g.stdout); werr != nil {
				return werr
			}
			if err != nil {
				return silentError{err}
			}
			return nil
		},
	}
}

// printDrills lists drill reports, newest first: a table, or one JSON
// document {"drills": [...]}.
func printDrills(ctx context.Context, g *globals, eng *engine.Engine, limit int) error {
	var reps []wire.DrillReport
	c, err := findDaemon(ctx, eng.Cfg)
	switch {
	case err != nil:
		return err
	case c != nil:
		reps, err = c.DrillReports(ctx, limit)
	default:
		reps, err = eng.DrillReports(ctx, limit)
	}
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.stdout, wire.DrillsDoc{Drills: reps})
	}
	if len(reps) == 0 {
		fmt.Fprintln(g.stdout, "No drills yet.")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tDRILL\tMODE\tSERVICE\tTARGET\tOUTCOME\tRECOVERY\tOPERATIONS")
	for _, r := range reps {
		outcome := "passed"
		switch {
		case r.Aborted:
			outcome = "aborted"
		case !r.OK:
			outcome = "failed"
		}
		rec := "-"
		if r.RecoveryTime > 0 {
			rec = r.RecoveryTime.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Started.Local().Format(time.DateTime), r.Name, r.Mode, r.Service,
			orDash(r.Target), outcome, rec, orDash(strings.Join(r.Operations, ",")))
	}
	return tw.Flush()
}

// drillProgress prints one event of a drill on stderr.
func drillProgress(g *globals, start time.Time, ev wire.Event) {
	offset := ev.Time.Sub(start).Seconds()
	switch ev.Phase {
	case "start":
		fmt.Fprintf(g.stderr, "[%6.1fs] %-36s started\n", offset, ev.Step)
	case "done":
		fmt.Fprintf(g.stderr, "[%6.1fs] %-36s done      %s\n", offset, ev.Step, ev.Message)
	case "failed":
		// One line a step: the report that follows has the whole text.
		msg, _, more := strings.Cut(ev.Message, "\n")
		if more {
			msg += " (more in the report)"
		}
		fmt.Fprintf(g.stderr, "[%6.1fs] %-36s FAILED    %s\n", offset, ev.Step, msg)
	default:
		fmt.Fprintf(g.stderr, "[%6.1fs] %-36s   %s\n", offset, ev.Step, ev.Message)
	}
}
