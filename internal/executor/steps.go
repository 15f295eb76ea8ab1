package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/healthwait"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// runStep does one step. It returns the outputs to journal (a resumed run
// reads them back), a one-line message for the operator, and the error.
func (e *Executor) runStep(ctx context.Context, op *journal.Operation, st planner.Step, sp planner.ServicePlan, lostVendors map[string]bool, addrs []string, sr *ServiceReport) (map[string]string, string, error) {
	switch st.Kind {
	case planner.StepPrepare:
		ws, err := e.env.Workspace(st)
		if err != nil {
			return nil, "", err
		}
		return nil, "workspace initialised", ws.Prepare(ctx)

	case planner.StepApply:
		vars, err := e.vars(st)
		if err != nil {
			return nil, "", err
		}
		outputs, err := e.apply(ctx, op, st, st, vars)
		return outputs, "applied", err

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
		return map[string]string{outAddresses: encodeJSON(got)}, "addresses " + strings.Join(got, ", "), nil

	case planner.StepFence:
		return e.fence(ctx, st)

	case planner.StepPromote:
		return e.promote(ctx, op, st, sp)

	case planner.StepWaitHealthy:
		if len(addrs) == 0 {
			addrs = st.Addresses
		}
		if err := e.waitHealthy(ctx, st, addrs); err != nil {
			return nil, "", err
		}
		return nil, "every check passes on " + strings.Join(addrs, ", "), nil

	case planner.StepDNSCutover:
		return e.cutover(ctx, op, st, sp, lostVendors, addrs, sr)

	case planner.StepVerifyDNS:
		return e.verify(ctx, op, st, addrs)

	case StepDNSRetry:
		return e.retryDNS(ctx, op, st, st.DNS, addrs, sr)

	case planner.StepNotify:
		if e.env.Notify == nil || len(st.Notify) == 0 {
			return nil, "no notify blocks configured", nil
		}
		n := Notification{Event: EventSucceeded, OK: true, Operation: op.ID, Kind: op.Kind, Service: sp.Service, From: sp.From, To: sp.To,
			Addresses: addrs, Timeline: op.Steps, Elapsed: e.env.Now().Sub(op.Started).Seconds()}
		// Notify only queues: delivery, and its retries, never delay or
		// fail the operation. The bound guards against a hook that blocks.
		nctx, cancel := context.WithTimeout(ctx, notifyTimeout)
		defer cancel()
		if err := e.env.Notify(nctx, st.Notify, n); err != nil {
			if ctx.Err() != nil {
				// Interrupted, not refused: the step is not done, and a
				// resumed run sends it again.
				return nil, "", err
			}
			// A notification that cannot be queued must not undo a
			// failover that worked: report it and go on.
			return map[string]string{"error": err.Error()}, "notification not queued: " + err.Error(), nil
		}
		queued := "queued for " + strings.Join(st.Notify, ", ")
		return map[string]string{"notify": queued}, queued, nil
	}
	return nil, "", fmt.Errorf("unknown step kind %q", st.Kind)
}

// apply applies the workspace of wsStep with vars, as step st (its
// journal key and events): a state lock left by a dead attempt at st is
// released, see applyUnlocking.
func (e *Executor) apply(ctx context.Context, op *journal.Operation, st, wsStep planner.Step, vars map[string]string) (map[string]string, error) {
	ws, err := e.env.Workspace(wsStep)
	if err != nil {
		return nil, err
	}
	progress := func(ev terraform.Event) {
		// Resource starts and ends, the summary and errors: enough to see
		// progress without the provisioners' command lines.
		switch {
		case ev.Level == "error", ev.Type == "change_summary",
			ev.Type == "apply_start", ev.Type == "apply_complete", ev.Type == "apply_errored":
		default:
			return
		}
		e.emit(Event{Service: st.Service, Provider: st.Provider, Step: stepKey(st), Kind: st.Kind,
			Phase: PhaseInfo, Message: applyLine(ev), Elapsed: ev.Elapsed})
	}
	return e.applyUnlocking(ctx, op, stepKey(st), ws, func() error { return ws.Apply(ctx, vars, progress) }, func(msg string) {
		e.emit(Event{Service: st.Service, Provider: st.Provider, Step: stepKey(st), Kind: st.Kind, Phase: PhaseInfo, Message: msg})
	})
}

// vars are the apply step's variables with the secret ones filled in.
func (e *Executor) vars(st planner.Step) (map[string]string, error) {
	if len(st.SecretVars) == 0 {
		return st.Vars, nil
	}
	if e.env.SecretVar == nil {
		return nil, fmt.Errorf("the plan has secret variables (%s) but nothing to read them from", strings.Join(st.SecretVars, ", "))
	}
	vars := maps.Clone(st.Vars)
	for _, name := range st.SecretVars {
		v, err := e.env.SecretVar(st, name)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		vars[name] = v
	}
	return vars, nil
}

func applyLine(ev terraform.Event) string {
	if ev.Message != "" {
		return ev.Message
	}
	return strings.TrimSpace(ev.Resource + " " + ev.Action)
}

// waitHealthy polls the service's checks against addrs until they all pass
// or the step's timeout ends. It never returns success without a passing round.
func (e *Executor) waitHealthy(ctx context.Context, st planner.Step, addrs []string) error {
	check := func(ctx context.Context) (bool, string, error) { return e.env.CheckHealth(ctx, st.Service, addrs) }
	_, err := healthwait.Until(ctx, st.Timeout(), e.env.HealthPoll, check, func(round int, reason string) {
		e.emit(Event{Service: st.Service, Provider: st.Provider, Step: stepKey(st), Kind: st.Kind, Phase: PhaseInfo,
			Message: fmt.Sprintf("round %d: %s", round, reason)})
	})
	var nh *healthwait.NotHealthy
	switch {
	case errors.As(err, &nh):
		return fmt.Errorf("%w: %s on %s after %s: %s", ErrUnhealthy, st.Provider, strings.Join(addrs, ", "), nh.After, nh.Last)
	case err != nil && ctx.Err() != nil && errors.Is(err, context.Cause(ctx)):
		return stopped(ctx)
	}
	return err
}

// stopped is the error for a step whose context ended: its cause, which
// says why (journal.ErrLostLeadership when the term ended), else ctx.Err().
func stopped(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, ctx.Err()) {
		return fmt.Errorf("%w (%w)", cause, ctx.Err())
	}
	return ctx.Err()
}

// cutover writes the new addresses at every DNS provider of the step, and
// tries once the DNS providers the planner left out as unreachable: when
// they come back they would otherwise serve the old, lost address. Every
// provider not updated is recorded as pending for the dns-retry step.
func (e *Executor) cutover(ctx context.Context, op *journal.Operation, st planner.Step, sp planner.ServicePlan, lostVendors map[string]bool, addrs []string, sr *ServiceReport) (map[string]string, string, error) {
	req, targets, err := e.dnsRequest(ctx, st, st.DNS, addrs)
	if err != nil {
		return nil, "", err
	}
	_, extra, err := e.dnsRequest(ctx, st, leftOut(sp, lostVendors), addrs)
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
	var results, extraResults []dnscutover.ProviderResult
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		once := e.fencedDNSOptions(op)
		once.Retry.Attempts = 1
		extraResults = dnscutover.Cutover(ctx, extra, req, once)
	}()
	results = dnscutover.Cutover(ctx, targets, req, e.fencedDNSOptions(op))
	wg.Wait()
	if err := fenced(append(results, extraResults...)); err != nil {
		return nil, "", err
	}

	ok, pending, changed := []string{}, []string{}, []string{}
	failed := map[string]string{}
	for _, r := range append(results, extraResults...) {
		if r.Err != nil {
			failed[r.DNS] = e.env.Redact(r.Err.Error())
			pending = append(pending, r.DNS)
			continue
		}
		ok = append(ok, r.DNS)
		changed = append(changed, r.Changed...)
	}
	sort.Strings(pending)
	sr.DNSFailed = failed
	out := map[string]string{outUpdated: strings.Join(ok, ","), outPending: strings.Join(pending, ",")}
	if len(ok) == 0 {
		return out, "", fmt.Errorf("%w: no DNS provider was updated: %s", ErrDNSPartial, failedText(failed))
	}
	// DNS now sends users to the new target, so that is where the service
	// is placed, even if another DNS provider lags behind.
	if err := e.env.Journal.SetPlacement(ctx, op.Ref(), st.Service, st.Provider, e.env.Now()); err != nil {
		return out, "", fmt.Errorf("journal placement: %w", err)
	}
	msg := "records already correct at " + strings.Join(ok, ", ")
	if len(changed) > 0 {
		msg = fmt.Sprintf("updated at %s: %s", strings.Join(ok, ", "), strings.Join(changed, ", "))
	}
	if len(failed) > 0 {
		msg += "; pending, to retry: " + failedText(failed)
	}
	return out, msg, nil
}

// leftOut lists the DNS providers the planner left out for being
// unreachable, not for living at a lost vendor (those are never written).
func leftOut(sp planner.ServicePlan, lostVendors map[string]bool) []string {
	var out []string
	for _, d := range sp.DNS {
		if !d.Use && !d.LostVendor && !lostVendors[d.Vendor] && (d.State == planner.StateDown || d.State == planner.StateUnknown || d.State == planner.StateDegraded) {
			out = append(out, d.Name)
		}
	}
	return out
}

func failedText(failed map[string]string) string {
	names := make([]string, 0, len(failed))
	for n, msg := range failed {
		names = append(names, n+": "+msg)
	}
	sort.Strings(names)
	return strings.Join(names, "; ")
}

// fencedDNSOptions are the DNS options with the operation's fencing check
// run right before each write attempt at each DNS provider: the check
// before the step is not enough for a leader paused between it and the
// write (a long GC, a stopped VM) while another took over.
func (e *Executor) fencedDNSOptions(op *journal.Operation) dnscutover.Options {
	opts := e.env.DNSOptions
	ref := op.Ref()
	opts.BeforeWrite = func(ctx context.Context) error {
		return journal.Check(ctx, e.env.Journal, ref)
	}
	return opts
}

// fenced returns the fencing error a DNS provider's result carries, if
// any: the writer was replaced and must stop, not retry the others later.
func fenced(results []dnscutover.ProviderResult) error {
	for _, r := range results {
		if errors.Is(r.Err, journal.ErrFenced) || errors.Is(r.Err, journal.ErrNotLeader) || errors.Is(r.Err, journal.ErrFinished) {
			return fmt.Errorf("journal: %s: %w", r.DNS, r.Err)
		}
	}
	return nil
}

// retryDNS writes and verifies the DNS providers the cutover left pending.
// While any is still failing the operation stays unfinished, so `lifeboat
// resume` (or the daemon) comes back to it.
func (e *Executor) retryDNS(ctx context.Context, op *journal.Operation, st planner.Step, pending, addrs []string, sr *ServiceReport) (map[string]string, string, error) {
	req, targets, err := e.dnsRequest(ctx, st, pending, addrs)
	if err != nil {
		return nil, "", err
	}
	failed := map[string]string{}
	var ok []dnscutover.Target
	results := dnscutover.Cutover(ctx, targets, req, e.fencedDNSOptions(op))
	if err := fenced(results); err != nil {
		return nil, "", err
	}
	for i, r := range results {
		if r.Err != nil {
			failed[r.DNS] = e.env.Redact(r.Err.Error())
		} else {
			ok = append(ok, targets[i])
		}
	}
	opts := e.env.DNSOptions
	if t := st.Timeout(); t > 0 {
		opts.VerifyTimeout = t
	}
	for _, r := range dnscutover.Verify(ctx, ok, req, opts) {
		if r.Err != nil {
			failed[r.DNS] = e.env.Redact(r.Err.Error())
		}
	}
	sr.DNSFailed = failed
	if len(failed) > 0 {
		return nil, "", fmt.Errorf("%w: %s; updated: %s; run `lifeboat resume` to retry",
			ErrDNSPartial, failedText(failed), orNone(targetNames(ok)))
	}
	return nil, "updated and verified " + strings.Join(pending, ", "), nil
}

func targetNames(ts []dnscutover.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// verify asks every DNS provider's authoritative servers until they serve
// the new answer.
func (e *Executor) verify(ctx context.Context, op *journal.Operation, st planner.Step, addrs []string) (map[string]string, string, error) {
	updated := st.DNS
	if out := op.Outputs(stepKey(planner.Step{Service: st.Service, Provider: st.Provider, Kind: planner.StepDNSCutover})); out != nil {
		updated = splitList(out[outUpdated])
	}
	req, targets, err := e.dnsRequest(ctx, st, updated, addrs)
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

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (e *Executor) dnsRequest(ctx context.Context, st planner.Step, names, addrs []string) (dnscutover.Request, []dnscutover.Target, error) {
	ips, err := parseAddrs(addrs)
	if err != nil {
		return dnscutover.Request{}, nil, err
	}
	if len(ips) == 0 {
		return dnscutover.Request{}, nil, errors.New("no addresses to point DNS at")
	}
	targets, err := e.env.DNSTargets(ctx, names)
	if err != nil {
		return dnscutover.Request{}, nil, err
	}
	req := dnscutover.Request{
		Service:   st.Service,
		Owner:     dnscutover.ServiceOwner(st.Service),
		Records:   st.Records,
		Addresses: ips,
		TTL:       time.Duration(st.TTL) * time.Second,
		Adopt:     e.env.Adopt(st.Service),
	}
	return req, targets, nil
}
