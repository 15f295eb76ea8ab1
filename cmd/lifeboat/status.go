package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

func newStatusCmd(g *globals) *cobra.Command {
	var rounds int
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Run every check once and show provider states",
		Long: "Run every check once (or --rounds N times, policy.interval apart), then print each\n" +
			"provider's state with its checks, and each service's current placement.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if rounds < 1 {
				return usageError{fmt.Errorf("--rounds must be at least 1, not %d", rounds)}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			doc, err := runStatus(cmd, g, cfg, rounds)
			if err != nil {
				return err
			}
			doc.Config = g.configPath
			if g.json() {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(doc)
			}
			return printStatus(g.stdout, doc)
		},
	}
	cmd.Flags().IntVar(&rounds, "rounds", 1, "rounds of checks to run, policy.interval apart")
	return cmd
}

// statusDoc is the stable JSON document of `lifeboat status -o json`.
type statusDoc struct {
	Config    string           `json:"config"`
	At        time.Time        `json:"at"`
	Rounds    int              `json:"rounds"`
	Providers []statusProvider `json:"providers"`
	DNS       []statusDNS      `json:"dns"`
	Services  []statusService  `json:"services"`
}

type statusDNS struct {
	Name   string `json:"name"`
	Zone   string `json:"zone"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

type statusProvider struct {
	Name   string        `json:"name"`
	State  health.State  `json:"state"`
	Since  *time.Time    `json:"since,omitempty"`
	Reason string        `json:"reason"`
	Checks []statusCheck `json:"checks"`
}

type statusCheck struct {
	Service     string    `json:"service,omitempty"`
	Check       string    `json:"check"`
	Kind        string    `json:"kind"`
	Target      string    `json:"target"`
	OK          bool      `json:"ok"`
	AccountLost bool      `json:"account_lost"`
	LatencyMS   float64   `json:"latency_ms"`
	Reason      string    `json:"reason"`
	Warning     string    `json:"warning,omitempty"`
	At          time.Time `json:"at"`
}

type statusService struct {
	Name      string   `json:"name"`
	Placement string   `json:"placement"`
	Addresses []string `json:"addresses,omitempty"`
	// Source says where the placement comes from: "journal", or
	// "first_candidate" for a service no operation has moved.
	Source        string       `json:"source"`
	ProviderState health.State `json:"provider_state"`
}

func runStatus(cmd *cobra.Command, g *globals, cfg *config.Config, rounds int) (*statusDoc, error) {
	eng := engine.New(cfg, g.logger())
	defer eng.Close()
	pl, err := currentPlacement(cmd.Context(), g, eng)
	if err != nil {
		return nil, err
	}
	obs, err := eng.Observe(cmd.Context(), pl, engine.ObserveOptions{Rounds: rounds})
	if err != nil {
		return nil, err
	}
	snap := obs.Snapshot
	doc := &statusDoc{At: time.Now().UTC(), Rounds: rounds, Providers: []statusProvider{}, Services: []statusService{}, DNS: []statusDNS{}}
	for _, p := range snap.Providers {
		sp := statusProvider{Name: p.Name, State: p.State, Reason: p.Reason, Checks: []statusCheck{}}
		if !p.Since.IsZero() {
			since := p.Since.UTC()
			sp.Since = &since
		}
		for _, r := range p.Results {
			sp.Checks = append(sp.Checks, statusCheck{
				Service: r.Service, Check: r.Check, Kind: r.Kind, Target: r.Target, OK: r.OK,
				AccountLost: r.AccountLost, LatencyMS: float64(r.Latency.Microseconds()) / 1000,
				Reason: r.Reason, Warning: r.Warning, At: r.At.UTC(),
			})
		}
		doc.Providers = append(doc.Providers, sp)
	}
	for _, d := range cfg.DNS {
		o := obs.DNS[d.Name]
		doc.DNS = append(doc.DNS, statusDNS{Name: d.Name, Zone: d.Zone, State: string(o.State), Reason: o.Reason})
	}
	states := snap.States()
	for _, s := range cfg.Services {
		at := pl.Provider[s.Name]
		doc.Services = append(doc.Services, statusService{Name: s.Name, Placement: at, Addresses: pl.Addresses[s.Name],
			Source: pl.Source[s.Name], ProviderState: states[at]})
	}
	return doc, nil
}

// currentPlacement reads where services run from the journal. When the
// journal cannot be opened (a running daemon holds it), each service is
// taken to be at its first candidate, with a warning.
func currentPlacement(ctx context.Context, g *globals, eng *engine.Engine) (engine.Placement, error) {
	j, err := eng.OpenJournal()
	if err != nil {
		g.logger().Warn("journal not readable; placing each service at its first candidate", "err", err)
		return eng.Placement(ctx, nil)
	}
	defer j.Close()
	return eng.Placement(ctx, j)
}

func printStatus(w io.Writer, doc *statusDoc) error {
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
	return errors.Join(tw.Flush())
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
