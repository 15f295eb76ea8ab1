package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Sentinel errors callers of Run branch on.
var (
	// ErrBlocked: the plan has services that should move but cannot; the
	// outcome's plan says why. Nothing was changed.
	ErrBlocked = errors.New("a service that should move cannot")
	// ErrCancelled: the confirmation hook said no. Nothing was changed.
	ErrCancelled = errors.New("cancelled: nothing was changed")
	// ErrNoOperation: there is no unfinished operation to resume or abort.
	ErrNoOperation = errors.New("no unfinished operation")
	// ErrInvalidRequest: the request cannot be planned (unknown names, a
	// contradiction). Callers treat it as bad usage.
	ErrInvalidRequest = errors.New("invalid request")
)

// Hooks let the caller of Run watch and steer it.
type Hooks struct {
	// Confirm is asked once the plan is known and before anything changes;
	// an error stops the operation (ErrCancelled for a plain "no"). Nil
	// proceeds without asking.
	Confirm func(ctx context.Context, plan planner.Result) error
	// Progress receives live events; nil discards them.
	Progress func(wire.Event)
	// Snapshot, when set, is where the plan's view of the providers comes
	// from (the daemon's long-lived monitor, which has already confirmed
	// any loss) instead of fresh rounds of checks.
	Snapshot func() health.Snapshot
	// DNS, when set with Snapshot, gives the DNS providers' states (the
	// daemon's cache) for a plan that changes nothing, instead of reading
	// every zone again.
	DNS func(context.Context) map[string]planner.Observation
}

// Run is the one path every operation takes, whoever asks: it finishes
// what an interrupted operation left undone for the services concerned,
// looks at the world (confirming a loss over more rounds when the first
// one fails), plans, asks Confirm, executes, and notifies whatever the
// outcome.
func (e *Engine) Run(ctx context.Context, req wire.Request, hooks Hooks) (wire.Outcome, error) {
	var out wire.Outcome
	if err := e.checkRequest(req); err != nil {
		return out, err
	}
	j, err := e.Journal()
	if err != nil {
		return out, err
	}
	ctx, unlead, err := e.lead(ctx)
	if err != nil {
		return out, err
	}
	defer unlead()
	resumed, err := e.resumeConcerning(ctx, req.Service, nil, hooks)
	out.Resumed = resumed
	if err != nil {
		return out, err
	}
	in, err := e.preview(ctx, req, hooks, &out)
	if err != nil || out.Settled {
		return out, err
	}
	if hooks.Confirm != nil {
		if err := hooks.Confirm(ctx, out.Plan); err != nil {
			return out, err
		}
	}
	exec, err := e.executor(j, in, hooks)
	if err != nil {
		return out, err
	}
	out.Executed = true
	rep, err := exec.Start(ctx, out.Plan, string(req.Kind))
	out.Report = &rep
	return out, err
}

// Plan answers req as Run would, from the same look at the world, and
// changes nothing.
func (e *Engine) Plan(ctx context.Context, req wire.Request, hooks Hooks) (wire.Outcome, error) {
	var out wire.Outcome
	_, err := e.preview(ctx, req, hooks, &out)
	return out, err
}

// preview looks at the world and plans req into out. It returns the
// planner's input for the executor; out.Settled is set, with a nil error,
// when nothing has to move.
func (e *Engine) preview(ctx context.Context, req wire.Request, hooks Hooks, out *wire.Outcome) (planner.Input, error) {
	var j journal.Journal
	if jj, err := e.Journal(); err == nil {
		j = jj
	} else if req.Kind != planner.KindManual || !errors.Is(err, journal.ErrLocked) {
		return planner.Input{}, err
	}
	pl, err := e.Placement(ctx, j)
	if err != nil {
		return planner.Input{}, err
	}
	preq := planner.Request{Kind: req.Kind, Service: req.Service, From: req.From, To: req.To, ZonesOnly: req.ZonesOnly, AcceptDataLoss: req.AcceptDataLoss}
	if err := e.checkRequest(req); err != nil {
		return planner.Input{}, err
	}
	emit(hooks.Progress, "checking every provider")
	// A provider named with --from needs no confirming: the operator has
	// decided, and an emergency should not wait for more rounds.
	confirm := (req.Kind == planner.KindManual && req.From == "") || req.Kind == planner.KindAutomatic
	var obs observation
	if hooks.Snapshot != nil {
		obs = e.observationOf(ctx, hooks.Snapshot(), hooks.DNS)
	} else if obs, err = e.observe(ctx, pl, observeOptions{Rounds: 1, Confirm: confirm, Progress: hooks.Progress}); err != nil {
		return planner.Input{}, err
	}
	in := e.plannerInput(obs, pl, preq)
	if !req.ZonesOnly {
		in.Data = e.dataInput(ctx, req.Service)
	}
	plan, err := planner.Plan(in)
	if err != nil {
		return in, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if req.Kind == planner.KindAutomatic && j != nil {
		if err := e.holdInCooldown(ctx, j, &plan, time.Now()); err != nil {
			return in, err
		}
	}
	out.Plan = plan
	out.Evidence = evidence(plan, obs)
	if plan.Work() == 0 {
		if plan.Blocked() > 0 || len(plan.Zones) > 0 {
			out.Message = nothingReason(plan, req)
			return in, fmt.Errorf("%w: %s", ErrBlocked, out.Message)
		}
		out.Settled = true
		out.Message = settledReason(plan, req, pl)
		// Settled by the planner's rule (every listed service stays where
		// it is healthy); a service staying on a degraded provider is not
		// a job already done, only one with nothing to do now.
		out.AlreadyDone = plan.Settled() && (len(plan.Lost) > 0 || len(plan.Services) > 0 || movedBefore(e.Cfg.Services, req.Service, pl))
	}
	return in, nil
}

// Resume finishes every unfinished operation, dropping the named DNS
// providers from what they still have to update.
func (e *Engine) Resume(ctx context.Context, dropDNS []string, hooks Hooks) ([]wire.OperationReport, error) {
	ctx, unlead, err := e.lead(ctx)
	if err != nil {
		return nil, err
	}
	defer unlead()
	reps, err := e.resumeConcerning(ctx, "", dropDNS, hooks)
	if err == nil && len(reps) == 0 {
		return nil, ErrNoOperation
	}
	return reps, err
}

// resumeConcerning resumes the unfinished operations that concern service
// (all when empty). An operation that fails again is reported with what
// the operator can do about it.
func (e *Engine) resumeConcerning(ctx context.Context, service string, dropDNS []string, hooks Hooks) ([]wire.OperationReport, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	ops, err := j.UnfinishedAll(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.checkDropDNS(dropDNS, ops); err != nil {
		return nil, err
	}
	var reps []wire.OperationReport
	for _, op := range ops {
		if service != "" && !op.Overlaps(journal.Operation{Services: []string{service}}) {
			// Another service's operation: it does not hold this one up.
			continue
		}
		rep, err := e.resumeOne(ctx, j, op, dropDNS, hooks)
		if rep != nil {
			reps = append(reps, *rep)
		}
		if err != nil {
			return reps, err
		}
	}
	return reps, nil
}

// resumeOne continues one unfinished operation with the plan it journaled.
func (e *Engine) resumeOne(ctx context.Context, j journal.Journal, op journal.Operation, dropDNS []string, hooks Hooks) (*wire.OperationReport, error) {
	var plan planner.Result
	if err := json.Unmarshal(op.Plan, &plan); err != nil {
		return nil, fmt.Errorf("operation %s: %w: its plan does not decode: %v", op.ID, journal.ErrCorrupt, err)
	}
	if op.Kind == string(planner.KindDrill) && plan.Moves() == 0 {
		// A canary drill cut short by a crash: it moved nothing, and
		// finishing its steps now would be a drill nobody asked for.
		emit(hooks.Progress, fmt.Sprintf("drill operation %s was interrupted; ending it as aborted (the next canary drill removes any drill record it left)", op.ID))
		if _, err := e.Abort(ctx, op.ID, "drill interrupted (the process stopped); ended, not resumed"); err != nil {
			return nil, err
		}
		return nil, nil
	}
	emit(hooks.Progress, fmt.Sprintf("operation %s (%s of %s, started %s) was interrupted; resuming it first",
		op.ID, op.Kind, strings.Join(planServices(plan), ", "), op.Started.Local().Format(time.DateTime)))
	pl, err := e.Placement(ctx, j)
	if err != nil {
		return nil, err
	}
	var obs observation
	if hooks.Snapshot != nil {
		obs = e.observationOf(ctx, hooks.Snapshot(), nil)
	} else if obs, err = e.observe(ctx, pl, observeOptions{Rounds: 1}); err != nil {
		return nil, err
	}
	exec, err := e.executor(j, e.plannerInput(obs, pl, plan.Request), hooks)
	if err != nil {
		return nil, err
	}
	rep, err := exec.Resume(ctx, op, executor.ResumeOptions{DropDNS: dropDNS})
	if err != nil {
		return &rep, fmt.Errorf("%w\nOperation %s is still unfinished. To go on without it: `lifeboat resume --drop-dns NAME` gives up on a DNS provider that cannot be updated, `lifeboat abort %s` ends the operation where it stands; `--service` moves another service meanwhile", err, op.ID, op.ID)
	}
	return &rep, nil
}

// Abort ends the unfinished operation id (the only one when id is empty)
// as aborted, with the reason. Placement stays as the operation left it:
// it is moved only when DNS was cut over.
func (e *Engine) Abort(ctx context.Context, id, reason string) (journal.Operation, error) {
	j, err := e.Journal()
	if err != nil {
		return journal.Operation{}, err
	}
	ctx, unlead, err := e.lead(ctx)
	if err != nil {
		return journal.Operation{}, err
	}
	defer unlead()
	ops, err := j.UnfinishedAll(ctx)
	if err != nil {
		return journal.Operation{}, err
	}
	var op *journal.Operation
	for i := range ops {
		if id == "" || ops[i].ID == id {
			op = &ops[i]
			break
		}
	}
	switch {
	case op == nil && id != "":
		if done, err := j.Operation(ctx, id); err == nil {
			return done, fmt.Errorf("%w: operation %s already ended (%s)", ErrNoOperation, id, done.Status)
		}
		return journal.Operation{}, fmt.Errorf("%w: %s is not an unfinished operation", ErrNoOperation, id)
	case op == nil:
		return journal.Operation{}, ErrNoOperation
	case id == "" && len(ops) > 1:
		var ids []string
		for _, o := range ops {
			ids = append(ids, o.ID)
		}
		return journal.Operation{}, fmt.Errorf("%w: several operations are unfinished (%s): name the one to abort", ErrInvalidRequest, strings.Join(ids, ", "))
	}
	if reason == "" {
		reason = "aborted by an operator"
	}
	now := time.Now()
	taken, err := j.Resume(ctx, op.ID, now)
	if err != nil {
		return journal.Operation{}, fmt.Errorf("take over operation %s: %w", op.ID, err)
	}
	if err := j.Finish(ctx, taken.Ref(), journal.StatusAborted, reason, now); err != nil {
		return journal.Operation{}, fmt.Errorf("abort operation %s: %w", op.ID, err)
	}
	return j.Operation(ctx, op.ID)
}

// executor builds the executor for an operation planned from in.
func (e *Engine) executor(j journal.Journal, in planner.Input, hooks Hooks) (*executor.Executor, error) {
	env := e.executorEnv(j, func(service string, excluded map[string]string) (planner.ServicePlan, error) {
		return planner.Replan(in, service, excluded)
	}, hooks.Progress)
	env.AfterJournal = testHook()
	return executor.New(env)
}

func planServices(plan planner.Result) []string {
	out := make([]string, 0, len(plan.Services))
	for _, s := range plan.Services {
		out = append(out, s.Service)
	}
	return out
}

// evidence names, for each provider the plan leaves, what was seen of it.
func evidence(plan planner.Result, obs observation) []string {
	var out []string
	for _, l := range plan.Lost {
		line := l.Name + ": " + l.Reason
		if st := obs.Snapshot.Provider(l.Name); st != nil {
			for _, r := range st.Results {
				if !r.OK {
					line += fmt.Sprintf("; check %q on %s: %s", r.Check, r.Target, r.Reason)
					break
				}
			}
		}
		out = append(out, line)
	}
	return out
}

func nothingReason(plan planner.Result, req wire.Request) string {
	var parts []string
	for _, sp := range plan.Services {
		parts = append(parts, sp.Service+": "+sp.Reason)
	}
	for _, z := range plan.Zones {
		parts = append(parts, "zone "+z.Zone+": "+z.Reason)
	}
	parts = append(parts, plan.Notes...)
	switch {
	case len(parts) > 0:
		return strings.Join(parts, "; ")
	case req.From != "":
		return "no service runs on " + req.From
	}
	return "no service is affected"
}

// movedBefore reports whether a service concerned runs off its first
// candidate.
func movedBefore(services []*config.Service, only string, pl Placement) bool {
	for _, s := range services {
		if (only == "" || s.Name == only) && len(s.Candidates) > 0 && pl.Provider[s.Name] != s.Candidates[0] {
			return true
		}
	}
	return false
}

// settledReason says why a plan that moves nothing means the job is done.
func settledReason(plan planner.Result, req wire.Request, pl Placement) string {
	var parts []string
	for _, sp := range plan.Services {
		parts = append(parts, sp.Reason)
	}
	if len(parts) == 0 {
		var lost []string
		for _, l := range plan.Lost {
			lost = append(lost, l.Name)
		}
		switch {
		case len(lost) > 0:
			parts = append(parts, fmt.Sprintf("no service runs on %s any more", strings.Join(lost, ", ")))
		case req.From != "":
			parts = append(parts, "no service runs on "+req.From)
		default:
			for _, name := range slices.Sorted(maps.Keys(pl.Provider)) {
				if req.Service == "" || req.Service == name {
					parts = append(parts, fmt.Sprintf("%s runs on %s", name, pl.Provider[name]))
				}
			}
			if req.Kind == wire.KindFailback {
				parts = append(parts, "every service concerned runs on its first candidate")
			} else {
				parts = append(parts, "no provider is down or account_lost")
			}
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no service is affected")
	}
	return strings.Join(parts, "; ")
}

func emit(progress func(wire.Event), msg string) {
	if progress != nil {
		progress(wire.Event{Time: time.Now(), Phase: executor.PhaseInfo, Message: msg})
	}
}

// History returns up to limit past operations, newest first.
// The journal is opened read-only: history never creates or changes it.
func (e *Engine) History(ctx context.Context, limit int) ([]journal.Operation, error) {
	var ops []journal.Operation
	err := e.withJournal(func(j journal.Journal) (err error) {
		if j != nil {
			ops, err = j.Operations(ctx, limit)
		}
		return err
	})
	return ops, err
}
