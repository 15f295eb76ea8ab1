// Package executor carries out a planner's plan: it runs each step in order,
// journals every step before and after, and resumes an interrupted
// operation from the last completed step. It never plans: when a target
// fails its health checks it asks its Replan hook for the next choice.
package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// Sentinel errors callers branch on.
var (
	// ErrUnhealthy: no target's health checks passed; DNS was not touched.
	ErrUnhealthy = errors.New("target did not become healthy")
	// ErrDNSPartial: some DNS providers were not updated; the operation is
	// left unfinished so that resuming it retries them.
	ErrDNSPartial = errors.New("DNS cutover incomplete")
	// ErrNotPromoted: the target's database was not made the primary;
	// DNS was not touched (traffic must never reach a read-only
	// database) and no other target is tried (a half-done promotion
	// there and another elsewhere would make two primaries).
	ErrNotPromoted = errors.New("the target's database was not promoted")
	// ErrNothingToDo: the plan moves no service and re-delegates no zone.
	ErrNothingToDo = errors.New("the plan moves no service and re-delegates no zone")
)

// Workspace is what the executor needs of a Terraform workspace.
type Workspace interface {
	Prepare(ctx context.Context) error
	Apply(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error
	Addresses(ctx context.Context, output string) ([]string, error)
}

// Env is the world an operation acts on. Every hook is required except
// Notify, Progress and AfterJournal.
type Env struct {
	Journal journal.Journal
	// Workspace opens the Terraform workspace a step names.
	Workspace func(step planner.Step) (Workspace, error)
	// CheckHealth runs the service's checks once against addrs and says
	// whether all passed and, if not, what failed.
	CheckHealth func(ctx context.Context, service string, addrs []string) (ok bool, reason string, err error)
	// DNSTargets builds the cutover targets for the named dns blocks.
	DNSTargets func(ctx context.Context, names []string) ([]dnscutover.Target, error)
	DNSOptions dnscutover.Options
	// SecretVar returns the real value of a variable the plan holds as
	// planner.SecretValue, from the configuration (plans are printed and
	// journaled; secrets are not).
	SecretVar func(st planner.Step, name string) (string, error)
	// Adopt says whether the service may take over records it does not own.
	Adopt func(service string) bool
	// Registrar opens the registrar of a zone. Required, with Serving and
	// Glue, when a plan re-delegates a zone.
	Registrar func(zone string) (Delegator, error)
	// Serving checks, before a re-delegation, that the named DNS providers
	// answer for the zone with the current records; it returns one line
	// per provider of what was checked.
	Serving func(ctx context.Context, zone string, dns []string) ([]string, error)
	// Glue returns the addresses of the step's new nameservers named
	// inside the zone, which the parent needs to refer there.
	Glue func(ctx context.Context, st planner.Step) (map[string][]netip.Addr, error)
	// Replan returns the service's plan with the given providers excluded
	// (provider -> why), after a target failed its checks.
	Replan func(service string, excluded map[string]string) (planner.ServicePlan, error)
	// Notify hands a notification to the named notify blocks. It should
	// only queue and return at once (the engine's does): the operation
	// does not wait for delivery, and a call is bounded by notifyTimeout.
	Notify func(ctx context.Context, names []string, n Notification) error
	// Progress receives live events for the operator.
	Progress func(Event)
	// AfterJournal is called after each journal write of a step; tests use
	// it to crash the process at exact step boundaries.
	AfterJournal func(stepKey, phase string)
	// Redact removes secret values from text bound for the journal, the
	// operator and notifications (a step's error may quote one); default
	// identity.
	Redact func(string) string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// HealthPoll is the pause between rounds of wait-healthy; default
	// healthwait.DefaultPoll.
	HealthPoll time.Duration
	// Logger hears what the operator's events do not carry; default
	// discards.
	Logger *slog.Logger
	// Data returns a service's data block by name, from the
	// configuration: fence and promote steps name it, and its DSNs
	// (secrets) come from there, never from the plan. Required when a plan
	// has fence or promote steps.
	Data func(service, name string) (*config.Data, error)
	// Dir is the configuration's directory: a fence or promote command
	// with a relative path (./promote.sh) is run from there.
	Dir string
}

// Phase and Event are the operation's live progress, defined with the
// documents that carry them.
type (
	Phase = wire.Phase
	Event = wire.Event
)

const (
	PhaseStart   = wire.PhaseStart
	PhaseDone    = wire.PhaseDone
	PhaseFailed  = wire.PhaseFailed
	PhaseSkipped = wire.PhaseSkipped
	PhaseInfo    = wire.PhaseInfo
)

// Notification events: an operation began for one service, or how it
// ended for it.
const (
	EventStarted     = "operation.started"
	EventSucceeded   = "operation.succeeded"
	EventFailed      = "operation.failed"
	EventUnfinished  = "operation.unfinished"
	EventInterrupted = "operation.interrupted"
)

// Notification is what is sent when an operation ends for a service,
// whatever the outcome.
type Notification struct {
	// Event is one of the Event* constants.
	Event     string            `json:"event"`
	OK        bool              `json:"ok"`
	Error     string            `json:"error,omitempty"`
	Operation string            `json:"operation"`
	Kind      string            `json:"kind"`
	Service   string            `json:"service"`
	From      string            `json:"from"`
	To        string            `json:"to"`
	Addresses []string          `json:"addresses"`
	Timeline  []journal.Step    `json:"timeline"`
	Elapsed   float64           `json:"elapsed_seconds"`
	Extra     map[string]string `json:"extra,omitempty"`
}

// Report is what an operation did; the document is defined with the
// others the CLI, the socket and the API exchange.
type (
	Report        = wire.OperationReport
	ZoneReport    = wire.ZoneReport
	ServiceReport = wire.ServiceReport
)

// StepDNSRetry is the executor's own step, after the plan's: it retries the
// DNS providers the cutover could not update.
const StepDNSRetry planner.StepKind = "dns-retry"

// Executor runs plans in an Env.
type Executor struct{ env Env }

// New checks env and returns an executor.
func New(env Env) (*Executor, error) {
	switch {
	case env.Journal == nil, env.Workspace == nil, env.CheckHealth == nil, env.DNSTargets == nil, env.Replan == nil:
		return nil, errors.New("executor: Journal, Workspace, CheckHealth, DNSTargets and Replan are required")
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.Adopt == nil {
		env.Adopt = func(string) bool { return false }
	}
	if env.Redact == nil {
		env.Redact = func(s string) string { return s }
	}
	return &Executor{env: env}, nil
}

// Start journals a new operation for plan and runs it. kind names what asked
// for it ("manual", "failback", "drill", "automatic").
func (e *Executor) Start(ctx context.Context, plan planner.Result, kind string) (Report, error) {
	if plan.Work() == 0 {
		return Report{}, ErrNothingToDo
	}
	if plan.Redelegations() > 0 && (e.env.Registrar == nil || e.env.Serving == nil || e.env.Glue == nil) {
		return Report{}, errors.New("executor: the plan re-delegates a zone and Env.Registrar, Env.Serving or Env.Glue is not set")
	}
	if hasDataSteps(plan) && e.env.Data == nil {
		return Report{}, errors.New("executor: the plan fences or promotes a database and Env.Data is not set")
	}
	raw, err := json.Marshal(plan)
	if err != nil {
		return Report{}, fmt.Errorf("encode plan: %w", err)
	}
	op := journal.Operation{Kind: kind, Plan: raw, Started: e.env.Now()}
	for _, m := range movingServices(plan) {
		op.Services = append(op.Services, m.Service)
	}
	if moves := movingServices(plan); len(moves) == 1 {
		op.Service, op.From, op.To = moves[0].Service, moves[0].From, moves[0].To
	}
	op, err = e.env.Journal.Begin(ctx, op)
	if err != nil {
		return Report{}, fmt.Errorf("begin operation: %w", err)
	}
	for _, sp := range movingServices(plan) {
		e.notifyStarted(ctx, op, sp)
	}
	return e.run(ctx, op, plan, false)
}

// ResumeOptions steer a resumed operation.
type ResumeOptions struct {
	// DropDNS names DNS providers the operation gives up on: pending
	// updates to them are no longer retried (a DNS vendor gone for good).
	// The choice is journaled.
	DropDNS []string
}

// dropStep is the journal step that records the DNS providers an operator
// gave up on; its "dns" output is a comma-separated list.
const dropStep = "operation/drop-dns"

// Resume continues an interrupted operation from its last completed step.
func (e *Executor) Resume(ctx context.Context, op journal.Operation, opts ResumeOptions) (Report, error) {
	id := op.ID
	op, err := e.env.Journal.Resume(ctx, id, e.env.Now())
	if err != nil {
		return Report{}, fmt.Errorf("resume operation %s: %w", id, err)
	}
	var plan planner.Result
	if err := json.Unmarshal(op.Plan, &plan); err != nil {
		return Report{}, fmt.Errorf("operation %s: decode its plan: %w", op.ID, err)
	}
	if len(opts.DropDNS) > 0 {
		dropped := append(splitList(op.Outputs(dropStep)["dns"]), opts.DropDNS...)
		slices.Sort(dropped)
		dropped = slices.Compact(dropped)
		now := e.env.Now()
		if err := e.env.Journal.StepStarted(ctx, op.Ref(), dropStep, now); err != nil {
			return Report{}, fmt.Errorf("journal: %w", err)
		}
		res := journal.StepResult{Status: journal.StepOK, At: now, Outputs: map[string]string{"dns": strings.Join(dropped, ",")}}
		if err := e.env.Journal.StepFinished(ctx, op.Ref(), dropStep, res); err != nil {
			return Report{}, fmt.Errorf("journal: %w", err)
		}
		if err := e.refresh(ctx, &op); err != nil {
			return Report{}, err
		}
		e.emit(Event{Phase: PhaseInfo, Message: "giving up on DNS providers " + strings.Join(opts.DropDNS, ", ") + " for this operation"})
	}
	return e.run(ctx, op, plan, true)
}

// pendingDNS is the cutover's pending list less the providers dropped.
func pendingDNS(op *journal.Operation, cutoverKey string) []string {
	dropped := splitList(op.Outputs(dropStep)["dns"])
	var out []string
	for _, d := range splitList(op.Outputs(cutoverKey)[outPending]) {
		if !slices.Contains(dropped, d) {
			out = append(out, d)
		}
	}
	return out
}

func movingServices(plan planner.Result) []planner.ServicePlan {
	var out []planner.ServicePlan
	for _, s := range plan.Services {
		if s.Action == planner.ActionMove {
			out = append(out, s)
		}
	}
	return out
}

// run executes every moving service of plan within op, then finishes op
// unless a DNS provider is still to be retried.
func (e *Executor) run(ctx context.Context, op journal.Operation, plan planner.Result, resumed bool) (Report, error) {
	rep := Report{Operation: op.ID, Resumed: resumed, Started: op.Started}
	var errs []error
	partial := false
	lostVendors := map[string]bool{}
	for _, l := range plan.Lost {
		if l.Vendor != "" {
			lostVendors[l.Vendor] = true
		}
	}
	for _, sp := range movingServices(plan) {
		sr, err := e.runService(ctx, &op, sp, lostVendors)
		rep.Services = append(rep.Services, sr)
		if err != nil {
			e.notifyFailure(ctx, op, sp, sr, err)
			if errors.Is(err, ErrDNSPartial) {
				partial = true
			}
			if ctx.Err() != nil {
				// Interrupted: leave the operation unfinished so it resumes.
				return rep, errors.Join(append(errs, err)...)
			}
			errs = append(errs, fmt.Errorf("service %s: %w", sp.Service, err))
		}
	}
	// Zones after services: a re-delegation checks that the providers it
	// delegates to serve the current records, which a cutover above may
	// just have written.
	for _, z := range plan.Zones {
		if z.Action != planner.ZoneRedelegate {
			continue
		}
		zr, err := e.runZone(ctx, &op, z)
		rep.Zones = append(rep.Zones, zr)
		if err != nil {
			if ctx.Err() != nil {
				return rep, errors.Join(append(errs, err)...)
			}
			errs = append(errs, fmt.Errorf("zone %s: %w", z.Zone, err))
		}
	}
	rep.Finished = e.env.Now()
	err := errors.Join(errs...)
	if partial {
		// Left unfinished on purpose: `lifeboat resume` retries the DNS
		// providers that failed; the others are already done.
		return rep, err
	}
	status, summary := journal.StatusSucceeded, summarize(rep)
	if err != nil {
		status = journal.StatusFailed
	}
	if ferr := e.env.Journal.Finish(context.WithoutCancel(ctx), op.Ref(), status, summary, rep.Finished); ferr != nil {
		err = errors.Join(err, fmt.Errorf("finish operation: %w", ferr))
	}
	return rep, err
}

func summarize(rep Report) string {
	var parts []string
	for _, sr := range rep.Services {
		if sr.OK {
			parts = append(parts, fmt.Sprintf("%s moved %s -> %s", sr.Service, sr.From, sr.To))
			if sr.AcceptedDataLoss != "" {
				parts[len(parts)-1] += " accepting data loss of " + sr.AcceptedDataLoss
			}
		} else {
			parts = append(parts, fmt.Sprintf("%s not moved: %s", sr.Service, sr.Error))
		}
	}
	for _, zr := range rep.Zones {
		if zr.OK {
			parts = append(parts, fmt.Sprintf("zone %s delegated to %s", zr.Zone, strings.Join(zr.NS, ", ")))
		} else {
			parts = append(parts, fmt.Sprintf("zone %s not re-delegated: %s", zr.Zone, zr.Error))
		}
	}
	return strings.Join(parts, "; ")
}

// runZone runs a zone's redelegate steps, skipping those already done.
func (e *Executor) runZone(ctx context.Context, op *journal.Operation, z planner.ZonePlan) (ZoneReport, error) {
	zr := ZoneReport{Zone: z.Zone, Registrar: z.Registrar}
	for _, st := range z.Steps {
		zr.NS = st.NS
		if op.Done(stepKey(st)) {
			e.emit(Event{Provider: st.Provider, Step: stepKey(st), Kind: st.Kind, Phase: PhaseSkipped, Message: "done before the interruption"})
			continue
		}
		if err := ctx.Err(); err != nil {
			zr.Error = err.Error()
			return zr, err
		}
		_, err := e.journaled(ctx, op, st, func() (map[string]string, string, error) {
			out, err := e.redelegate(ctx, st)
			return out, "zone " + st.Zone + " delegated to " + strings.Join(st.NS, ", "), err
		})
		if err != nil {
			zr.Error = e.env.Redact(err.Error())
			return zr, err
		}
	}
	zr.OK = true
	return zr, nil
}

// targetKey is the journal step that records which plan a service is on;
// its outputs hold the current ServicePlan after a replan.
func targetKey(service string) string { return service + "/target" }

// stepKey names a step in the journal; the provider is part of it so that
// the same step toward another candidate is a different step.
func stepKey(st planner.Step) string {
	if st.Kind == planner.StepFence || st.Kind == planner.StepPromote {
		// A service may have several data blocks, and a fence acts at
		// the old primary while its ID names the target: the plan's ID
		// ("www/bravo/fence/db") is the key.
		if st.ID != "" {
			return st.ID
		}
		return planner.StepID(st.Service, st.Provider, st.Kind) + "/" + st.Data
	}
	owner := st.Service
	if owner == "" {
		owner = st.Zone // a zone's step
	}
	return planner.StepID(owner, st.Provider, st.Kind)
}

// runService moves one service, trying the next candidate when a target
// fails its checks.
func (e *Executor) runService(ctx context.Context, op *journal.Operation, sp planner.ServicePlan, lostVendors map[string]bool) (ServiceReport, error) {
	sr := ServiceReport{Service: sp.Service, From: sp.From, AcceptedDataLoss: sp.AcceptedDataLoss}
	// A resumed operation may have replanned before the crash.
	var replanned planner.ServicePlan
	if ok, err := decodeOutput(op, targetKey(sp.Service), outPlan, &replanned); err != nil {
		return sr, err
	} else if ok {
		sp = replanned
	}
	if _, err := decodeOutput(op, targetKey(sp.Service), outRejected, &sr.Rejected); err != nil {
		return sr, err
	}
	for attempt := 0; ; attempt++ {
		sr.To = sp.To
		if sp.Action != planner.ActionMove {
			sr.Error = sp.Reason
			return sr, fmt.Errorf("%w: %s", ErrUnhealthy, rejectedText(sp.Reason, sr.Rejected))
		}
		err := e.runSteps(ctx, op, sp, lostVendors, &sr)
		if err == nil || !errors.Is(err, ErrUnhealthy) || attempt > 16 {
			if err != nil {
				sr.Error = e.env.Redact(err.Error())
			}
			return sr, err
		}
		// The target failed its checks: DNS was not touched. Ask for the
		// next candidate without it.
		if sr.Rejected == nil {
			sr.Rejected = map[string]string{}
		}
		sr.Rejected[sp.To] = e.env.Redact(err.Error())
		e.emit(Event{Service: sp.Service, Provider: sp.To, Phase: PhaseInfo,
			Message: fmt.Sprintf("%s rejected: %v; asking the planner for the next candidate", sp.To, err)})
		next, perr := e.env.Replan(sp.Service, sr.Rejected)
		if perr != nil {
			sr.Error = perr.Error()
			return sr, fmt.Errorf("replan: %w", perr)
		}
		if err := e.recordTarget(ctx, op, next, sr.Rejected); err != nil {
			return sr, err
		}
		sp = next
	}
}

func rejectedText(reason string, rejected map[string]string) string {
	if len(rejected) == 0 {
		return reason
	}
	s := reason
	for p, why := range rejected {
		s += fmt.Sprintf("; %s: %s", p, why)
	}
	return s
}

func (e *Executor) recordTarget(ctx context.Context, op *journal.Operation, sp planner.ServicePlan, rejected map[string]string) error {
	planJSON, rejJSON := encodeJSON(sp), encodeJSON(rejected)
	key := targetKey(sp.Service)
	now := e.env.Now()
	if err := e.env.Journal.StepStarted(ctx, op.Ref(), key, now); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	res := journal.StepResult{Status: journal.StepOK, At: now,
		Outputs: map[string]string{outPlan: planJSON, outRejected: rejJSON, "provider": sp.To}}
	if err := e.env.Journal.StepFinished(ctx, op.Ref(), key, res); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return e.refresh(ctx, op)
}

// refresh reloads the operation so Done/Outputs see the latest steps.
func (e *Executor) refresh(ctx context.Context, op *journal.Operation) error {
	fresh, err := e.env.Journal.Operation(ctx, op.ID)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	fence := op.Fence
	*op = fresh
	op.Fence = fence
	return nil
}

// runSteps runs one service plan's steps, skipping those the journal says
// are done and reusing their outputs.
func (e *Executor) runSteps(ctx context.Context, op *journal.Operation, sp planner.ServicePlan, lostVendors map[string]bool, sr *ServiceReport) error {
	var addrs []string
	steps := sp.Steps
	for _, st := range sp.Steps {
		if st.Kind != planner.StepDNSCutover {
			continue
		}
		// DNS providers the cutover could not update are retried in a step
		// of their own, after the others are verified and notified.
		if pending := pendingDNS(op, stepKey(st)); len(pending) > 0 {
			steps = append(slices.Clone(steps), retryStep(st, pending))
		}
	}
	for i := 0; i < len(steps); i++ {
		st := steps[i]
		key := stepKey(st)
		if len(addrs) == 0 && len(st.Addresses) > 0 {
			// A target without a workspace: the plan carries its
			// configured addresses instead of a read-outputs step.
			addrs = st.Addresses
		}
		if op.Done(key) {
			if _, err := decodeOutput(op, key, outAddresses, &addrs); err != nil {
				return err
			}
			e.emit(Event{Service: st.Service, Provider: st.Provider, Step: key, Kind: st.Kind, Phase: PhaseSkipped,
				Message: "done before the interruption"})
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		outputs, err := e.journaled(ctx, op, st, func() (map[string]string, string, error) {
			return e.runStep(ctx, op, st, sp, lostVendors, addrs, sr)
		})
		if a := outputs[outAddresses]; a != "" {
			if err := json.Unmarshal([]byte(a), &addrs); err != nil {
				return fmt.Errorf("step %s: its own addresses output does not decode: %w", key, err)
			}
		}
		if err != nil {
			return err
		}
		if st.Kind == planner.StepDNSCutover {
			if pending := pendingDNS(op, key); len(pending) > 0 {
				steps = append(slices.Clone(steps), retryStep(st, pending))
			}
		}
	}
	sr.OK = true
	sr.Addresses = addrs
	if sr.Recovery == 0 {
		sr.Recovery = e.env.Now().Sub(op.Started)
	}
	return nil
}

// journaled runs one step between its journal records: started, then
// finished with its outputs or error, the operation reloaded after. The
// fence is checked right before the side effect, so a writer taken over
// meanwhile (a resumed operation, a deposed leader) stops there.
func (e *Executor) journaled(ctx context.Context, op *journal.Operation, st planner.Step, run func() (map[string]string, string, error)) (map[string]string, error) {
	key := stepKey(st)
	started := e.env.Now()
	if err := e.env.Journal.StepStarted(ctx, op.Ref(), key, started); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	e.hook(key, "started")
	if err := journal.Check(ctx, e.env.Journal, op.Ref()); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	e.emit(Event{Service: st.Service, Provider: st.Provider, Step: key, Kind: st.Kind, Phase: PhaseStart, Message: st.Reason})
	outputs, msg, err := run()
	if err != nil && ctx.Err() != nil && !errors.Is(err, journal.ErrLostLeadership) {
		// Whatever the step saw (a killed command, a refused write), it
		// stopped because the context did: say why first.
		if cause := context.Cause(ctx); errors.Is(cause, journal.ErrLostLeadership) {
			err = fmt.Errorf("%w; the step stopped: %w", cause, err)
		}
	}
	res := journal.StepResult{Status: journal.StepOK, Outputs: outputs, At: e.env.Now()}
	phase := PhaseDone
	if err != nil {
		res.Status, res.Error, phase = journal.StepFailed, e.env.Redact(err.Error()), PhaseFailed
		if ctx.Err() != nil {
			// Stopped from outside (a signal, the daemon shutting down, a
			// lost leadership): the step did not fail, and it runs again
			// on resume.
			res.Status = journal.StepInterrupted
		}
		msg = err.Error()
	}
	if jerr := e.env.Journal.StepFinished(context.WithoutCancel(ctx), op.Ref(), key, res); jerr != nil {
		// Still say how the step ended: the journal may be why it did.
		err = errors.Join(err, fmt.Errorf("journal: %w", jerr))
		e.emit(Event{Service: st.Service, Provider: st.Provider, Step: key, Kind: st.Kind, Phase: PhaseFailed,
			Message: err.Error(), Elapsed: e.env.Now().Sub(started)})
		return outputs, err
	}
	e.hook(key, "finished")
	e.emit(Event{Service: st.Service, Provider: st.Provider, Step: key, Kind: st.Kind, Phase: phase,
		Message: msg, Elapsed: res.At.Sub(started)})
	if err != nil {
		return outputs, err
	}
	return outputs, e.refresh(ctx, op)
}

// retryStep is the dns-retry step for the pending DNS providers of a cutover.
func retryStep(cutover planner.Step, pending []string) planner.Step {
	retry := cutover
	retry.Kind, retry.DNS = StepDNSRetry, pending
	retry.Reason = "DNS providers not updated during the cutover: " + strings.Join(pending, ", ")
	return retry
}

func (e *Executor) hook(key, phase string) {
	if e.env.AfterJournal != nil {
		e.env.AfterJournal(key, phase)
	}
}

func (e *Executor) emit(ev Event) {
	if e.env.Progress == nil {
		return
	}
	ev.Message = e.env.Redact(ev.Message)
	if ev.Time.IsZero() {
		ev.Time = e.env.Now()
	}
	e.env.Progress(ev)
}

// parseAddrs turns host addresses into netip values for DNS.
func parseAddrs(addrs []string) ([]netip.Addr, error) {
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return nil, fmt.Errorf("output address %q is not an IP address: %w", a, err)
		}
		out = append(out, ip)
	}
	return out, nil
}
