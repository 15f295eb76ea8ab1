package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// runStep does one step. It returns the outputs to journal (a resumed run
// reads them back), a one-line message for the operator, and the error.
func (e *Executor) runStep(ctx context.Context, op *journal.Operation, st planner.Step, sp planner.ServicePlan, addrs []string, sr *ServiceReport) (map[string]string, string, error) {
	switch st.Kind {
	case planner.StepPrepare:
		ws, err := e.env.Workspace(st)
		if err != nil {
			return nil, "", err
		}
		return nil, "workspace initialised", ws.Prepare(ctx)

	case planner.StepApply:
		ws, err := e.env.Workspace(st)
		if err != nil {
			return nil, "", err
		}
		err = ws.Apply(ctx, st.Vars, func(ev terraform.Event) {
			if ev.Resource == "" && ev.Type != "change_summary" && ev.Level != "error" {
				return
			}
			e.emit(Event{Service: st.Service, Provider: st.Provider, Step: stepKey(st), Kind: st.Kind,
				Phase: "info", Message: applyLine(ev), Elapsed: ev.Elapsed})
		})
		return nil, "applied", err

	case planner.StepReadOutputs:
		got := st.Addresses
		if st.Workspace != nil {
			ws, err := e.env.Workspace(st)
			if err != nil {
				return nil, "", err
			}
			if got, err = ws.Addresses(ctx, st.Output); err != nil {
				return nil, "", err
			}
		}
		if len(got) == 0 {
			return nil, "", fmt.Errorf("%w: output %q of %s lists no addresses", ErrUnhealthy, st.Output, st.Provider)
		}
		if _, err := parseAddrs(got); err != nil {
			return nil, "", err
		}
		raw, _ := json.Marshal(got)
		return map[string]string{"addresses": string(raw)}, "addresses " + strings.Join(got, ", "), nil

	case planner.StepWaitHealthy:
		if len(addrs) == 0 {
			addrs = st.Addresses
		}
		return nil, "", e.waitHealthy(ctx, st, addrs)

	case planner.StepDNSCutover:
		return e.cutover(ctx, op, st, addrs, sr)

	case planner.StepVerifyDNS:
		return e.verify(ctx, st, addrs)

	case planner.StepNotify:
		if e.env.Notify == nil || len(st.Notify) == 0 {
			return nil, "no notify blocks configured", nil
		}
		n := Notification{Operation: op.ID, Kind: op.Kind, Service: sp.Service, From: sp.From, To: sp.To,
			Addresses: addrs, Timeline: op.Steps, Elapsed: e.env.Now().Sub(op.Started).Seconds()}
		if err := e.env.Notify(ctx, st.Notify, n); err != nil {
			// A notification that cannot be sent must not undo a failover
			// that worked: report it and go on.
			return map[string]string{"error": err.Error()}, "notification failed: " + err.Error(), nil
		}
		return nil, "sent to " + strings.Join(st.Notify, ", "), nil
	}
	return nil, "", fmt.Errorf("unknown step kind %q", st.Kind)
}

func applyLine(ev terraform.Event) string {
	parts := []string{}
	for _, s := range []string{ev.Resource, ev.Action, ev.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// waitHealthy polls the service's checks against addrs until they all pass
// or the step's timeout ends. It never returns success without a passing round.
func (e *Executor) waitHealthy(ctx context.Context, st planner.Step, addrs []string) error {
	timeout := st.Timeout()
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "no check ran"
	for round := 1; ; round++ {
		ok, reason, err := e.env.CheckHealth(ctx, st.Service, addrs)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		last = reason
		e.emit(Event{Service: st.Service, Provider: st.Provider, Step: stepKey(st), Kind: st.Kind, Phase: "info",
			Message: fmt.Sprintf("round %d: %s", round, reason)})
		select {
		case <-ctx.Done():
			if parent := context.Cause(ctx); errors.Is(parent, context.Canceled) {
				return parent
			}
			return fmt.Errorf("%w: %s on %s after %s: %s", ErrUnhealthy, st.Provider, strings.Join(addrs, ", "), timeout, last)
		case <-time.After(e.env.HealthPoll):
		}
	}
}

// cutover writes the new addresses at every DNS provider of the step.
func (e *Executor) cutover(ctx context.Context, op *journal.Operation, st planner.Step, addrs []string, sr *ServiceReport) (map[string]string, string, error) {
	req, targets, err := e.dnsRequest(st, addrs)
	if err != nil {
		return nil, "", err
	}
	// Check once more right before writing: a resumed operation may reach
	// this step long after wait-healthy passed.
	healthy, reason, err := e.env.CheckHealth(ctx, st.Service, addrs)
	if err != nil {
		return nil, "", err
	}
	if !healthy {
		return nil, "", fmt.Errorf("%w: %s failed its checks just before the DNS cutover: %s", ErrUnhealthy, st.Provider, reason)
	}
	results := dnscutover.Cutover(ctx, targets, req, e.env.DNSOptions)
	var ok, changed []string
	failed := map[string]string{}
	for _, r := range results {
		if r.Err != nil {
			failed[r.DNS] = r.Err.Error()
			continue
		}
		ok = append(ok, r.DNS)
		changed = append(changed, r.Changed...)
	}
	sr.DNSFailed = failed
	out := map[string]string{"updated": strings.Join(ok, ",")}
	if len(ok) > 0 {
		// DNS now sends users to the new target, so that is where the
		// service is placed, even if another DNS provider lags behind.
		if err := e.env.Journal.SetPlacement(ctx, op.Ref(), st.Service, st.Provider, e.env.Now()); err != nil {
			return out, "", fmt.Errorf("journal placement: %w", err)
		}
	}
	if len(failed) > 0 {
		names := make([]string, 0, len(failed))
		for n, msg := range failed {
			names = append(names, n+": "+msg)
		}
		sort.Strings(names)
		return out, "", fmt.Errorf("%w: %d of %d DNS providers failed (%s); updated: %s; run `lifeboat resume` to retry",
			ErrDNSPartial, len(failed), len(results), strings.Join(names, "; "), orNone(ok))
	}
	msg := "records already correct at " + strings.Join(ok, ", ")
	if len(changed) > 0 {
		msg = fmt.Sprintf("updated at %s: %s", strings.Join(ok, ", "), strings.Join(changed, ", "))
	}
	return out, msg, nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// verify asks every DNS provider's authoritative servers until they serve
// the new answer.
func (e *Executor) verify(ctx context.Context, st planner.Step, addrs []string) (map[string]string, string, error) {
	req, targets, err := e.dnsRequest(st, addrs)
	if err != nil {
		return nil, "", err
	}
	opts := e.env.DNSOptions
	if t := st.Timeout(); t > 0 {
		opts.VerifyTimeout = t
	}
	var errs []error
	for _, r := range dnscutover.Verify(ctx, targets, req, opts) {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.DNS, r.Err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	return nil, "authoritative servers answer " + strings.Join(addrs, ", "), nil
}

func (e *Executor) dnsRequest(st planner.Step, addrs []string) (dnscutover.Request, []dnscutover.Target, error) {
	ips, err := parseAddrs(addrs)
	if err != nil {
		return dnscutover.Request{}, nil, err
	}
	if len(ips) == 0 {
		return dnscutover.Request{}, nil, errors.New("no addresses to point DNS at")
	}
	targets, err := e.env.DNSTargets(st.DNS)
	if err != nil {
		return dnscutover.Request{}, nil, err
	}
	req := dnscutover.Request{
		Service:   st.Service,
		Owner:     "lifeboat/" + st.Service,
		Records:   st.Records,
		Addresses: ips,
		TTL:       time.Duration(st.TTL) * time.Second,
		Adopt:     e.env.Adopt(st.Service),
	}
	return req, targets, nil
}
