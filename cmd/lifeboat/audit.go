package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newAuditCmd(g *globals) *cobra.Command {
	var failOn string
	var offline bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Report where the service is still one vendor's decision away from going dark",
		Long: `audit looks at the configuration, the journal, each workspace's state backend and,
unless --offline, the zones' delegation, the records each DNS provider serves and the
standbys' addresses, and reports findings: services a single provider, vendor or
jurisdiction can take offline; DNS, Terraform state, the journal or notifications at
the primary's vendor; standby addresses already published; a recovery-time budget over
the service's rto; drills too old or failed. Each finding has a stable ID, a severity,
the evidence and the fix. It changes nothing.

Exit status: 0 when no finding is at or above --fail-on (default high), 1 otherwise,
so it can gate CI; 2 for a bad configuration or flag.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			threshold, err := engine.ParseSeverity(failOn)
			if err != nil {
				return usageError{fmt.Errorf("--fail-on: %w", err)}
			}
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			opts := engine.AuditOptions{Offline: offline}
			c, err := findDaemon(cmd.Context(), s.eng.Cfg)
			if err != nil {
				return err
			}
			if c != nil {
				// The daemon holds the journal: read it through the daemon.
				opts.Journal = daemonJournal{c}
			}
			rep := s.eng.Audit(cmd.Context(), opts)
			if err := engine.WriteAudit(g.stdout, g.output, rep); err != nil {
				return err
			}
			if n := rep.AtOrAbove(threshold); n > 0 {
				return silentError{fmt.Errorf("%d finding(s) at or above %s", n, threshold)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: low, medium, high or critical")
	cmd.Flags().BoolVar(&offline, "offline", false, "skip the look-ups over the network (delegation, published records, workspace outputs) and list what was not checked")
	return cmd
}

// daemonJournal reads the audit's journal facts through a running daemon.
type daemonJournal struct{ c *control.Client }

func (d daemonJournal) Operations(ctx context.Context) (wire.HistoryDoc, error) {
	return d.c.History(ctx, 0)
}

func (d daemonJournal) Drills(ctx context.Context) ([]wire.DrillReport, error) {
	return d.c.DrillReports(ctx, 0)
}

func (d daemonJournal) Placement(ctx context.Context) (map[string]string, error) {
	doc, err := d.c.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range doc.Services {
		if s.Source == "journal" {
			out[s.Name] = s.Placement
		}
	}
	return out, nil
}
