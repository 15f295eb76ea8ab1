package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/drill"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// ErrDrillAborted: the drill's context was cancelled before its end (the
// daemon does so when a real provider is lost).
var ErrDrillAborted = drill.ErrAborted

// Drill runs the named drill now and journals its report. Progress goes
// to hooks.Progress; hooks.Snapshot, when set, is used for the plans.
func (e *Engine) Drill(ctx context.Context, name string, hooks Hooks) (wire.DrillReport, error) {
	d := e.findDrill(name)
	if d == nil {
		return wire.DrillReport{}, fmt.Errorf("%w: no drill %q in the configuration (drills: %s)", ErrInvalidRequest, name, e.drillNames())
	}
	ctx, unlead, err := e.lead(ctx)
	if err != nil {
		return wire.DrillReport{}, err
	}
	defer unlead()
	j, err := e.Journal()
	if err != nil {
		return wire.DrillReport{}, err
	}
	spec := drill.Spec{Name: d.Name, Mode: drill.Mode(d.Mode), Service: d.Service, Target: d.Target}
	env := drill.Env{
		Checker:  e,
		Recorder: drillRecorder{j},
		Redact:   e.Cfg.Redact,
		Progress: func(ev drill.Event) {
			if hooks.Progress != nil {
				hooks.Progress(wire.Event{Time: ev.Time, Service: d.Service, Step: ev.Step, Phase: executor.Phase(ev.Phase), Message: ev.Message})
			}
		},
	}
	s := e.Cfg.Service(d.Service)
	pl, err := e.Placement(ctx, j)
	switch {
	case s == nil:
		spec.Err = fmt.Errorf("service %q is not in the configuration", d.Service)
	case err != nil:
		spec.Err = err
	default:
		spec.Current = pl.Provider[s.Name]
		switch spec.Mode {
		case drill.ModeReadiness:
			spec.Readiness, env.Zones, spec.Err = e.readinessSpec(ctx, s, spec.Current)
		case drill.ModeCanary:
			spec.Err = e.canarySpec(ctx, s, d, hooks, &spec, &env, j)
		case drill.ModeFull:
			env.Failover = drillFailover{e: e, j: j, service: s.Name, hooks: hooks}
		case drill.ModeRestore:
			spec.Target = drillTarget(s, d, spec.Current)
			spec.Restore, spec.Err = e.restoreSpec(s, d, spec.Target, pl)
		}
		if len(s.Data) > 0 {
			target := drillTarget(s, d, spec.Current)
			env.Data = func(ctx context.Context) (string, time.Duration, bool, string) { return e.dataAt(ctx, s.Name, target) }
		}
	}
	rep, err := drill.Run(ctx, spec, env)
	e.announceDrill(rep)
	return rep, err
}

// announceDrill sends a drill's outcome to the notify blocks that take
// "drill" events.
func (e *Engine) announceDrill(rep wire.DrillReport) {
	ev := notify.Event{Event: notify.EventDrillPassed, Category: config.EventDrill, At: rep.Finished, OK: rep.OK,
		Summary: rep.Summary(), Service: rep.Service, Provider: rep.Target, Details: rep}
	switch {
	case rep.Aborted:
		ev.Event, ev.Error = notify.EventDrillAborted, rep.AbortReason
	case !rep.OK:
		ev.Event, ev.Error = notify.EventDrillFailed, strings.Join(rep.Failures, "; ")
	}
	if len(rep.Operations) > 0 {
		ev.Operation = rep.Operations[0]
	}
	e.Announce(ev)
}

func (e *Engine) findDrill(name string) *config.Drill {
	for _, d := range e.Cfg.Drills {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func (e *Engine) drillNames() string {
	var names []string
	for _, d := range e.Cfg.Drills {
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return "none configured"
	}
	return strings.Join(names, ", ")
}

func (e *Engine) serviceDNS(s *config.Service) []string {
	if len(s.DNS) > 0 {
		return s.DNS
	}
	var out []string
	for _, d := range e.Cfg.DNS {
		out = append(out, d.Name)
	}
	return out
}

// readinessSpec lists the service's DNS providers and candidates, with the
// variables a failover to each would apply.
func (e *Engine) readinessSpec(ctx context.Context, s *config.Service, current string) (*drill.ReadinessSpec, drill.ZoneReader, error) {
	names := e.serviceDNS(s)
	targets, err := e.dnsTargets(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	rs := &drill.ReadinessSpec{DNS: names}
	for _, name := range s.Candidates {
		p := e.Cfg.Provider(name)
		if p == nil {
			continue
		}
		c := drill.Candidate{Provider: name, Current: name == current, Cold: p.Standby == config.StandbyCold,
			Output: s.AddressOutput, Addresses: p.Addresses}
		if p.Terraform != nil {
			ws, err := e.workspace(name)
			if err != nil {
				return nil, nil, err
			}
			c.Workspace = ws
			c.Vars = failoverVars(p, s)
		}
		rs.Candidates = append(rs.Candidates, c)
	}
	return rs, drill.DNS{Service: s.Name, Targets: targets}, nil
}

// failoverVars are the variables a failover of s to p would apply: the
// workspace's, then the service's over them (secret values included).
func failoverVars(p *config.Provider, s *config.Service) map[string]string {
	vars := map[string]string{}
	if p.Terraform != nil {
		maps.Copy(vars, p.Terraform.Vars)
	}
	maps.Copy(vars, s.Vars)
	return vars
}

// canarySpec plans a drill failover of the service as the planner would
// (KindDrill) and takes the target, its apply variables and the DNS
// providers from that plan; production records are never written.
func (e *Engine) canarySpec(ctx context.Context, s *config.Service, d *config.Drill, hooks Hooks, spec *drill.Spec, env *drill.Env, j journal.Journal) error {
	out, err := e.Plan(ctx, wire.Request{Kind: planner.KindDrill, Service: s.Name, To: d.Target}, Hooks{Progress: hooks.Progress, Snapshot: hooks.Snapshot})
	if err != nil {
		return fmt.Errorf("plan the drill: %w", err)
	}
	var sp *planner.ServicePlan
	for i := range out.Plan.Services {
		if out.Plan.Services[i].Service == s.Name {
			sp = &out.Plan.Services[i]
		}
	}
	if sp == nil || sp.Action != planner.ActionMove {
		why := "the planner has no move for it"
		if sp != nil {
			why = sp.Reason
		}
		return fmt.Errorf("no target to drill %s toward: %s", s.Name, why)
	}
	spec.Target = sp.To
	var apply, cutover *planner.Step
	for i := range sp.Steps {
		switch sp.Steps[i].Kind {
		case planner.StepApply:
			apply = &sp.Steps[i]
		case planner.StepDNSCutover:
			cutover = &sp.Steps[i]
		}
	}
	if apply == nil || cutover == nil {
		return fmt.Errorf("%s has no terraform workspace: a canary drill brings the standby up through one", sp.To)
	}
	vars := maps.Clone(apply.Vars)
	for _, name := range apply.SecretVars {
		v, err := e.secretVar(*apply, name)
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		vars[name] = v
	}
	ws, err := e.workspace(sp.To)
	if err != nil {
		return err
	}
	targets, err := e.dnsTargets(ctx, cutover.DNS)
	if err != nil {
		return err
	}
	var own map[string]string
	if p := e.Cfg.Provider(sp.To); p != nil && p.Terraform != nil {
		own = p.Terraform.Vars
	}
	output := s.AddressOutput
	for _, st := range sp.Steps {
		if st.Kind == planner.StepReadOutputs {
			output = st.Output
		}
	}
	spec.Canary = &drill.CanarySpec{Record: d.Record, Workspace: ws, Vars: vars, OwnVars: own, Output: output, WaitHealthy: e.Cfg.Policy.WaitHealthy}
	env.Records = drill.DNS{Service: s.Name, Targets: targets, TTL: time.Duration(cutover.TTL) * time.Second,
		Options: dnscutover.Options{VerifyTimeout: e.Cfg.Policy.VerifyDNS, Logger: e.Log}}
	env.Operations = drillOps{j: j, current: spec.Current}
	return nil
}

// drillRecorder journals drill reports in the event log.
type drillRecorder struct{ j journal.Journal }

func (r drillRecorder) RecordDrill(ctx context.Context, rep drill.Report) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	rec := journal.Record{Kind: journal.RecordDrill, At: rep.Finished, Service: rep.Service, Summary: rep.Summary(), Data: data}
	if len(rep.Operations) > 0 {
		rec.OpID = rep.Operations[0]
	}
	_, err = r.j.Append(ctx, rec)
	return err
}

// drillOps begins a canary drill's journal operation: kind "drill", the
// one service, and a plan that moves nothing, so a crashed drill is never
// resumed into a real cutover of production records.
type drillOps struct {
	j       journal.Journal
	current string
}

func (o drillOps) Begin(ctx context.Context, spec drill.Spec) (drill.Operation, error) {
	plan := planner.Result{Request: planner.Request{Kind: planner.KindDrill, Service: spec.Service, To: spec.Target},
		Notes: []string{fmt.Sprintf("canary drill %q: record %s only; production records are not touched", spec.Name, spec.Canary.Record)}}
	raw, err := json.Marshal(plan)
	if err != nil {
		return nil, err
	}
	want := journal.Operation{Kind: string(planner.KindDrill), Service: spec.Service, Services: []string{spec.Service},
		From: o.current, To: spec.Target, Plan: raw, Started: time.Now()}
	op, err := o.j.Begin(ctx, want)
	if errors.Is(err, journal.ErrOperationRunning) && o.endCrashedCanary(ctx, spec.Service) {
		op, err = o.j.Begin(ctx, want)
	}
	if err != nil {
		return nil, err
	}
	liveCanaries.Store(op.ID, true)
	return &drillOp{j: o.j, op: op}, nil
}

// liveCanaries holds the IDs of the canary operations this process runs:
// the journal admits one process at a time, so an unfinished canary
// operation not in here was left by a process that died.
var liveCanaries sync.Map

// endCrashedCanary ends, as aborted, an unfinished canary operation of the
// service that no process runs any more (lifeboat was killed during it):
// this drill writes and removes the same record, so nothing of it is
// left. It reports whether it ended one. A failover or drill operation
// that moves the service is left alone: it is resumed, not dropped.
func (o drillOps) endCrashedCanary(ctx context.Context, service string) bool {
	ops, err := o.j.UnfinishedAll(ctx)
	if err != nil {
		return false
	}
	ended := false
	for _, op := range ops {
		var plan planner.Result
		if _, live := liveCanaries.Load(op.ID); live {
			continue
		}
		if op.Kind != string(planner.KindDrill) || op.Service != service || json.Unmarshal(op.Plan, &plan) != nil || len(plan.Services) > 0 {
			continue
		}
		now := time.Now()
		taken, err := o.j.Resume(ctx, op.ID, now)
		if err != nil {
			continue
		}
		if o.j.Finish(ctx, taken.Ref(), journal.StatusAborted, "canary drill interrupted; ended by the next drill of "+service, now) == nil {
			ended = true
		}
	}
	return ended
}

type drillOp struct {
	j  journal.Journal
	op journal.Operation
}

func (o *drillOp) ID() string { return o.op.ID }

func (o *drillOp) StepStarted(ctx context.Context, step string, at time.Time) error {
	return o.j.StepStarted(ctx, o.op.Ref(), step, at)
}

func (o *drillOp) StepFinished(ctx context.Context, step string, st drill.Step) error {
	res := journal.StepResult{Status: journal.StepOK, Error: st.Error, At: st.Started.Add(st.Took)}
	if !st.OK {
		res.Status = journal.StepFailed
	}
	if st.Detail != "" {
		res.Outputs = map[string]string{"detail": st.Detail}
	}
	return o.j.StepFinished(ctx, o.op.Ref(), step, res)
}

func (o *drillOp) Finish(ctx context.Context, status, summary string, at time.Time) error {
	defer liveCanaries.Delete(o.op.ID)
	return o.j.Finish(ctx, o.op.Ref(), journal.Status(status), summary, at)
}

// drillFailover runs a full drill's operations on the engine's one path.
type drillFailover struct {
	e       *Engine
	j       journal.Journal
	service string
	hooks   Hooks
}

func (f drillFailover) Run(ctx context.Context, kind, to string) (drill.OpResult, error) {
	out, err := f.e.Run(ctx, wire.Request{Kind: planner.Kind(kind), Service: f.service, To: to}, Hooks{Progress: f.hooks.Progress, Snapshot: f.hooks.Snapshot})
	var res drill.OpResult
	if out.Report != nil {
		res.OpID = out.Report.Operation
		for _, sr := range out.Report.Services {
			if sr.Service == f.service {
				res.Recovery, res.To = sr.Recovery, sr.To
			}
		}
		if op, jerr := f.j.Operation(context.WithoutCancel(ctx), res.OpID); jerr == nil {
			res.Unfinished = !op.Status.Terminal()
		}
	}
	if err == nil && !out.Executed {
		err = errors.New("nothing moved: " + out.Message)
	}
	return res, err
}

func (f drillFailover) Abort(ctx context.Context, opID, reason string) error {
	_, err := f.e.Abort(ctx, opID, reason)
	return err
}

func (f drillFailover) Placement(ctx context.Context) (string, error) {
	pl, err := f.e.Placement(ctx, f.j)
	if err != nil {
		return "", err
	}
	return pl.Provider[f.service], nil
}

// DrillReports returns up to limit drill reports from the journal, newest
// first (all when limit <= 0). Like History, it opens the journal
// read-only and never creates it.
func (e *Engine) DrillReports(ctx context.Context, limit int) ([]wire.DrillReport, error) {
	var recs []journal.Record
	err := e.withJournal(func(j journal.Journal) (err error) {
		if j != nil {
			recs, err = j.Records(ctx, journal.RecordDrill, limit)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]wire.DrillReport, 0, len(recs))
	for _, r := range recs {
		var rep wire.DrillReport
		if err := json.Unmarshal(r.Data, &rep); err != nil {
			return nil, fmt.Errorf("drill record %d: %w: its report does not decode: %v", r.Seq, journal.ErrCorrupt, err)
		}
		out = append(out, rep)
	}
	return out, nil
}
