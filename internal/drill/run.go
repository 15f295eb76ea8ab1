package drill

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/healthwait"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Spec is one drill as the configuration and the planner describe it.
type Spec struct {
	Name    string
	Mode    Mode
	Service string
	// Current is the provider the service runs on now.
	Current string
	// Target is the provider drilled toward (canary and full).
	Target    string
	Readiness *ReadinessSpec // mode readiness
	Canary    *CanarySpec    // mode canary
	Restore   *RestoreSpec   // mode restore
	// Err is a problem found while preparing the drill (no target, a
	// workspace that does not open): the drill fails with it, and its
	// report is journaled like any other.
	Err error
}

// Env is the world a drill acts on. Only what the mode uses must be set,
// and Recorder always.
type Env struct {
	Checker    Checker
	Zones      ZoneReader
	Records    Records
	Operations Operations
	Failover   Failover
	Recorder   Recorder
	// Data, when set, measures the service's data at the drill's target
	// as the drill begins: state is "fresh", "stale" or "unknown", age
	// meaningful when known, reason one line. It must bound its own
	// wait. The report carries it; a drill passed on stale data says so.
	Data func(ctx context.Context) (state string, age time.Duration, known bool, reason string)
	// Progress hears about each step; nil discards.
	Progress func(Event)
	// Redact removes secret values from every text of the report; default
	// identity.
	Redact func(string) string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Poll is the pause between rounds of checks; default
	// healthwait.DefaultPoll.
	Poll time.Duration
}

// Run carries out the drill and journals its report, whatever the outcome.
// The error wraps ErrAborted when ctx was cancelled before the end, and
// ErrFailed when the drill found problems.
func Run(ctx context.Context, spec Spec, env Env) (Report, error) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Redact == nil {
		env.Redact = func(s string) string { return s }
	}
	rep := Report{Name: spec.Name, Mode: spec.Mode, Service: spec.Service, Target: spec.Target, Started: env.Now(), Steps: []Step{}}
	r := &run{rep: &rep, progress: env.Progress, now: env.Now, redact: env.Redact}
	if env.Data != nil && spec.Err == nil {
		state, age, known, reason := env.Data(ctx)
		rep.DataState, rep.DataAge, rep.DataAgeKnown, rep.DataNote = state, age, known, env.Redact(reason)
		if state == "stale" {
			r.info("the target's data is stale: " + reason)
		}
	}
	var err error
	switch {
	case spec.Err != nil:
		err = spec.Err
	case spec.Mode == ModeReadiness && spec.Readiness != nil:
		readiness(ctx, r, spec, env)
	case spec.Mode == ModeCanary && spec.Canary != nil:
		rep.Record = spec.Canary.Record
		err = canary(ctx, r, spec, env)
	case spec.Mode == ModeFull:
		full(ctx, r, spec, env)
	case spec.Mode == ModeRestore && spec.Restore != nil:
		rep.Restore = &wire.RestoreReport{}
		restoreDrill(ctx, r, spec, env)
	default:
		err = fmt.Errorf("drill %q: mode %q is not one this drill can run", spec.Name, spec.Mode)
	}
	if err != nil && !r.aborted(ctx) {
		r.fail(err.Error())
	}
	r.aborted(ctx)
	rep.Finished = env.Now()
	rep.OK = !rep.Aborted && len(rep.Failures) == 0
	var rerr error
	if env.Recorder == nil {
		rerr = errors.New("no journal to record the drill's report in")
	} else {
		// The report is kept even when the drill was cancelled.
		rerr = env.Recorder.RecordDrill(context.WithoutCancel(ctx), rep)
	}
	if rerr != nil {
		rerr = fmt.Errorf("record the drill's report: %w", rerr)
	}
	switch {
	case rep.Aborted:
		return rep, errors.Join(fmt.Errorf("%w: %s", ErrAborted, rep.AbortReason), rerr)
	case !rep.OK:
		return rep, errors.Join(fmt.Errorf("%w: %s", ErrFailed, joinFailures(rep.Failures)), rerr)
	}
	return rep, rerr
}

func joinFailures(f []string) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}

// waitHealthy polls the service's checks against addrs until all pass or
// timeout ends; it never succeeds without a passing round.
func waitHealthy(ctx context.Context, c Checker, service string, addrs []string, timeout, poll time.Duration) (string, error) {
	check := func(ctx context.Context) (bool, string, error) { return c.CheckService(ctx, service, addrs) }
	rounds, err := healthwait.Until(ctx, timeout, poll, check, nil)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("checks pass after %d round(s)", rounds), nil
}
