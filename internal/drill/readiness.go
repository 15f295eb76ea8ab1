package drill

import (
	"context"
	"fmt"
	"strings"
)

// ZoneReader reads a DNS provider's zone: proof that its credentials work.
type ZoneReader interface {
	ReadZone(ctx context.Context, dns string) (records int, err error)
}

// ReadinessSpec is what a readiness drill looks at.
type ReadinessSpec struct {
	// DNS names the dns blocks the service uses.
	DNS        []string
	Candidates []Candidate
}

// Candidate is one candidate provider of the service.
type Candidate struct {
	Provider string
	Current  bool // the service runs here now
	Cold     bool // standby = "cold": nothing runs until apply
	// Workspace is nil for a provider without one.
	Workspace Workspace
	// Vars are what a failover would apply (secret values included).
	Vars   map[string]string
	Output string
	// Addresses are the provider's configured addresses.
	Addresses []string
}

// readiness changes nothing: zones are read, workspaces planned into a
// private file that is removed, and the standby's checks run where it runs.
func readiness(ctx context.Context, r *run, spec Spec, env Env) {
	rs := spec.Readiness
	for _, d := range rs.DNS {
		r.check(ctx, "zone "+d, func(ctx context.Context) (string, error) {
			n, err := env.Zones.ReadZone(ctx, d)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("credentials work; the zone is readable (%d records)", n), nil
		})
		if r.aborted(ctx) {
			return
		}
	}
	for _, c := range rs.Candidates {
		if c.Workspace == nil {
			continue
		}
		r.check(ctx, "plan "+c.Provider, func(ctx context.Context) (string, error) {
			return planClean(ctx, c)
		})
		if r.aborted(ctx) {
			return
		}
	}
	for _, c := range rs.Candidates {
		if c.Current {
			continue
		}
		r.check(ctx, "standby "+c.Provider, func(ctx context.Context) (string, error) {
			return standbyHealthy(ctx, env.Checker, spec.Service, c)
		})
		if r.aborted(ctx) {
			return
		}
	}
}

// planClean plans c's workspace with a failover's variables. No plan file
// is written: it would hold the variables' values.
func planClean(ctx context.Context, c Candidate) (string, error) {
	changes, err := c.Workspace.Plan(ctx, c.Vars, "")
	if err != nil {
		return "", err
	}
	if changes {
		return "plans cleanly; a failover would change it", nil
	}
	return "plans cleanly; no changes", nil
}

// standbyHealthy runs the service's checks against a standby that runs.
// A cold standby with nothing up is noted, not failed.
func standbyHealthy(ctx context.Context, chk Checker, service string, c Candidate) (string, error) {
	addrs := c.Addresses
	if c.Workspace != nil {
		res, err := c.Workspace.Resources(ctx)
		if err != nil {
			return "", err
		}
		if len(res) == 0 {
			if c.Cold {
				return "cold standby not running: nothing to check until a failover applies it", nil
			}
			return "", fmt.Errorf("%s is a %s standby but its workspace has no resources", c.Provider, standbyWord(c))
		}
		if got, err := c.Workspace.Addresses(ctx, c.Output); err == nil && len(got) > 0 {
			addrs = got
		}
	}
	if len(addrs) == 0 {
		return "no known addresses: nothing to check", nil
	}
	ok, reason, err := chk.CheckService(ctx, service, addrs)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("checks fail on %s: %s", strings.Join(addrs, ", "), reason)
	}
	return "checks pass on " + strings.Join(addrs, ", "), nil
}

func standbyWord(c Candidate) string {
	if c.Cold {
		return "cold"
	}
	return "warm or active"
}
