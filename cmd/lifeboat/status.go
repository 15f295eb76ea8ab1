package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newStatusCmd(g *globals) *cobra.Command {
	var rounds int
	var exitCodeFlag bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Run every check once and show provider states",
		Long: "Run every check once (or --rounds N times, policy.interval apart), then print each\n" +
			"provider's state with its checks, and each service's current placement.\n\n" +
			"With --exit-code, the exit status tells a script what was seen: 0 when no provider is\n" +
			"down or account_lost, 3 when one is (1 when status itself failed, 2 for bad usage).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if rounds < 1 {
				return usageError{fmt.Errorf("--rounds must be at least 1, not %d", rounds)}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			eng := engine.New(cfg, g.logger())
			defer eng.Close()
			c, err := findDaemon(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			var doc *wire.StatusDoc
			if c != nil {
				// The daemon's monitor has been watching all along: its
				// live view, not one fresh round.
				doc, err = c.Status(cmd.Context())
			} else {
				doc, err = eng.Status(cmd.Context(), rounds)
			}
			if err != nil {
				return err
			}
			doc.Config = g.configPath
			for _, w := range doc.Warnings {
				fmt.Fprintln(g.stderr, "lifeboat: warning:", w)
			}
			if g.json() {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(doc)
			} else {
				err = printStatus(g.stdout, doc)
			}
			if err == nil && exitCodeFlag {
				err = downError(doc)
			}
			return err
		},
	}
	cmd.Flags().IntVar(&rounds, "rounds", 1, "rounds of checks to run, policy.interval apart")
	cmd.Flags().BoolVar(&exitCodeFlag, "exit-code", false, "exit 3 when a provider is down or account_lost (for scripts)")
	return cmd
}

// downError is status --exit-code's verdict: exit 3 naming the providers
// down or account_lost, nil when there is none.
func downError(doc *wire.StatusDoc) error {
	var lost []string
	for _, p := range doc.Providers {
		if p.State == "down" || p.State == "account_lost" {
			lost = append(lost, p.Name+" "+string(p.State))
		}
	}
	if len(lost) == 0 {
		return nil
	}
	return codeError{exitDown, fmt.Errorf("status --exit-code: %s", strings.Join(lost, ", "))}
}

func printStatus(w io.Writer, doc *wire.StatusDoc) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSTATE\tCHECK\tTARGET\tRESULT\tLATENCY\tREASON")
	for _, p := range doc.Providers {
		fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t%s\n", p.Name, p.State, p.Reason)
		for _, c := range p.Checks {
			name := c.Check
			if c.Service != "" {
				name = c.Service + "/" + c.Check
			}
			result := "ok"
			switch {
			case c.AccountLost:
				result = "LOST"
			case c.Unknown:
				result = "UNKNOWN"
			case !c.OK:
				result = "FAIL"
			}
			reason := c.Reason
			if c.Warning != "" {
				reason += " (warning: " + c.Warning + ")"
			}
			fmt.Fprintf(tw, "\t\t%s\t%s\t%s\t%s\t%s\n", name, c.Target, result, fmtLatency(c.LatencyMS), reason)
		}
	}
	if len(doc.DNS) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "DNS\tSTATE\tZONE\tREASON")
		for _, d := range doc.DNS {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.State, d.Zone, d.Reason)
		}
		if doc.Daemon != nil && !doc.DNSCheckedAt.IsZero() {
			fmt.Fprintf(tw, "(DNS as the daemon last read it, %s ago)\n", doc.At.Sub(doc.DNSCheckedAt).Round(time.Second))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "SERVICE\tPLACEMENT\tPROVIDER STATE\tSOURCE")
	for _, s := range doc.Services {
		at := s.Placement
		if at == "" {
			at = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, at, orDash(string(s.ProviderState)), strings.ReplaceAll(s.Source, "_", " "))
	}
	// The data tier: each data block's age at each provider, then each
	// backup block's newest backup.
	wire.WriteDataTable(tw, doc.Data, doc.Backups)
	err := tw.Flush()
	if d := doc.Daemon; d != nil {
		auto := "off (policy.auto_failover)"
		switch {
		case d.Hold:
			auto = fmt.Sprintf("HELD since %s (%s); `lifeboat hold off` to allow it", d.HoldSince.Local().Format(time.DateTime), orDash(d.HoldReason))
		case d.AutoFailover:
			auto = "on"
		}
		fmt.Fprintf(w, "\nDaemon: pid %d on %s, watching since %s; automatic failover %s.\n", d.PID, orDash(d.Node), d.Since.Local().Format(time.DateTime), auto)
		if d.HeldBack != "" {
			fmt.Fprintf(w, "Held back since %s: %s\n", d.HeldBackAt.Local().Format(time.DateTime), d.HeldBack)
		}
		if d.Running != "" {
			fmt.Fprintf(w, "Running now: %s.\n", d.Running)
		}
		writeCluster(w, d.Cluster)
		for _, dr := range d.Drills {
			next := "not scheduled"
			if !dr.Next.IsZero() {
				next = "next " + dr.Next.Local().Format(time.DateTime)
			}
			fmt.Fprintf(w, "Drill %s (%s of %s): %s.\n", dr.Name, dr.Mode, dr.Service, next)
		}
		writeTTL(w, d.TTL)
	}
	return err
}

// writeTTL shows the providers at risk and the records whose TTL was
// lowered pre-emptively.
func writeTTL(w io.Writer, ttl []wire.TTLStatus) {
	for _, t := range ttl {
		switch {
		case len(t.Records) == 0 && len(t.Services) == 0:
			fmt.Fprintf(w, "At risk: %s since %s (%s); no record of a service points at it.\n", t.Provider, t.AtRiskSince.Local().Format(time.DateTime), t.Reason)
		case !t.Lowered:
			fmt.Fprintf(w, "At risk: %s since %s (%s); its records' TTL is not lowered yet.\n", t.Provider, t.AtRiskSince.Local().Format(time.DateTime), t.Reason)
		case !t.RestoreAt.IsZero():
			fmt.Fprintf(w, "Emergency TTL: %s's records (%s), healthy again since %s; normal TTL back at %s.\n",
				t.Provider, strings.Join(t.Services, ", "), t.HealthySince.Local().Format(time.DateTime), t.RestoreAt.Local().Format(time.DateTime))
		default:
			fmt.Fprintf(w, "Emergency TTL: %s's records (%s), at risk since %s (%s).\n",
				t.Provider, strings.Join(t.Services, ", "), t.AtRiskSince.Local().Format(time.DateTime), t.Reason)
		}
		for _, r := range t.Records {
			fmt.Fprintf(w, "  %s\n", r)
		}
		if len(t.Missed) > 0 {
			fmt.Fprintf(w, "  DNS provider(s) down, done when back: %s\n", strings.Join(t.Missed, ", "))
		}
	}
}

func fmtLatency(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.1fms", ms)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
