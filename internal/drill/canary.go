package drill

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/terraform"
)

// Records writes and removes the drill-only record at every DNS provider
// of the service, and asks their authoritative servers.
type Records interface {
	// Check fails when the record exists and is not the drill's.
	Check(ctx context.Context, record string) (string, error)
	Write(ctx context.Context, record string, addrs []string) (string, error)
	Verify(ctx context.Context, record string, addrs []string) error
	Remove(ctx context.Context, record string) (string, error)
	VerifyGone(ctx context.Context, record string) error
}

// Operation is the journal operation a canary drill runs in, so that no
// overlapping operation of the service runs meanwhile.
type Operation interface {
	ID() string
	StepStarted(ctx context.Context, step string, at time.Time) error
	StepFinished(ctx context.Context, step string, st Step) error
	// Finish ends it as "succeeded", "failed" or "aborted".
	Finish(ctx context.Context, status, summary string, at time.Time) error
}

// Operations begins a canary drill's operation.
type Operations interface {
	Begin(ctx context.Context, spec Spec) (Operation, error)
}

// CanarySpec is what a canary drill applies and writes.
type CanarySpec struct {
	// Record is the drill-only record, relative to the zone.
	Record    string
	Workspace Workspace
	// Vars are what a failover would apply (the planner's apply step,
	// secret values filled in).
	Vars map[string]string
	// OwnVars are the workspace's own vars: what it is re-applied with
	// when the drill's apply changed a standby that was already up.
	OwnVars     map[string]string
	Output      string
	WaitHealthy time.Duration
}

// CleanupTimeout bounds the removal of the drill record after an abort.
const CleanupTimeout = 30 * time.Second

func canary(ctx context.Context, r *run, spec Spec, env Env) error {
	cs := spec.Canary
	op, err := env.Operations.Begin(ctx, spec)
	if err != nil {
		return fmt.Errorf("begin the drill's operation: %w", err)
	}
	r.rep.Operations = append(r.rep.Operations, op.ID())
	r.op = op
	stepName := func(s string) string { return spec.Service + "/" + spec.Target + "/drill-" + s }

	var before []string
	var addrs []string
	applied, changed, written := false, false, false
	var applyStart time.Time
	// The drill record must be free or the drill's own before anything
	// changes; the write checks ownership again (the same rule).
	err = r.step(ctx, stepName("check-record"), func(ctx context.Context) (string, error) {
		return env.Records.Check(ctx, cs.Record)
	})
	if err == nil {
		err = r.step(ctx, stepName("standby-state"), func(ctx context.Context) (string, error) {
			var err error
			before, err = cs.Workspace.Resources(ctx)
			if err != nil {
				return "", err
			}
			if len(before) == 0 {
				return "no resources: a cold standby, destroyed again after the drill", nil
			}
			return fmt.Sprintf("%d resources: re-applied with its own vars after the drill if the drill changes it", len(before)), nil
		})
	}
	if err == nil {
		applyStart = r.now()
		applied = true
		err = r.step(ctx, stepName("apply"), func(ctx context.Context) (string, error) {
			err := cs.Workspace.Apply(ctx, cs.Vars, func(ev terraform.Event) {
				if ev.Type == "apply_start" {
					changed = true
				}
			})
			if changed {
				return "applied with a failover's variables", err
			}
			return "applied: nothing to change", err
		})
	}
	if err == nil {
		err = r.step(ctx, stepName("read-outputs"), func(ctx context.Context) (string, error) {
			var err error
			if addrs, err = cs.Workspace.Addresses(ctx, cs.Output); err != nil {
				return "", err
			}
			if len(addrs) == 0 {
				return "", fmt.Errorf("output %q lists no addresses", cs.Output)
			}
			return "addresses " + strings.Join(addrs, ", "), nil
		})
	}
	if err == nil {
		err = r.step(ctx, stepName("wait-healthy"), func(ctx context.Context) (string, error) {
			return waitHealthy(ctx, env.Checker, spec.Service, addrs, cs.WaitHealthy, env.Poll)
		})
	}
	if err == nil {
		// Set before the write: a write cut short may have left records.
		written = true
		err = r.step(ctx, stepName("write-record"), func(ctx context.Context) (string, error) {
			return env.Records.Write(ctx, cs.Record, addrs)
		})
	}
	if err == nil {
		err = r.step(ctx, stepName("verify-record"), func(ctx context.Context) (string, error) {
			if err := env.Records.Verify(ctx, cs.Record, addrs); err != nil {
				return "", err
			}
			r.rep.RecoveryTime = r.now().Sub(applyStart)
			return fmt.Sprintf("%s answers %s at every authoritative server; recovery time %s",
				cs.Record, strings.Join(addrs, ", "), r.rep.RecoveryTime.Round(time.Millisecond)), nil
		})
	}
	if err != nil && !r.aborted(ctx) {
		r.fail(err.Error())
	}

	// Clean up whatever happened. After an abort the removal gets a fresh,
	// bounded context: the drill record must not outlive the drill.
	cctx := ctx
	if r.aborted(ctx) {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
		defer cancel()
	}
	if written {
		rerr := r.step(cctx, stepName("remove-record"), func(ctx context.Context) (string, error) {
			return env.Records.Remove(ctx, cs.Record)
		})
		if rerr == nil {
			rerr = r.step(cctx, stepName("verify-removed"), func(ctx context.Context) (string, error) {
				return cs.Record + " answers nothing at every authoritative server", env.Records.VerifyGone(ctx, cs.Record)
			})
		}
		if rerr != nil {
			r.fail(rerr.Error())
			r.left("drill record " + cs.Record + " may still be in DNS: " + rerr.Error())
		}
	}
	if applied {
		restore(ctx, r, spec, stepName("restore-standby"), before, changed)
	}
	return finishOp(ctx, r, op)
}

// restore returns the standby to its state before the drill: a cold one
// (no resources before) is destroyed, one already up is re-applied with
// its own vars only if the drill changed it. After an abort it is left up:
// a real failover is about to need it.
func restore(ctx context.Context, r *run, spec Spec, name string, before []string, changed bool) {
	cs := spec.Canary
	if r.aborted(ctx) {
		r.left(spec.Target + " left as the drill's apply made it: the drill was aborted, and a real failover may need it")
		return
	}
	var err error
	switch {
	case len(before) == 0:
		err = r.step(ctx, name, func(ctx context.Context) (string, error) {
			return "cold standby destroyed again", cs.Workspace.Destroy(ctx, cs.Vars, nil)
		})
	case changed:
		err = r.step(ctx, name, func(ctx context.Context) (string, error) {
			return "re-applied with its own variables", cs.Workspace.Apply(ctx, cs.OwnVars, nil)
		})
	default:
		err = r.step(ctx, name, func(context.Context) (string, error) {
			return "the drill changed nothing: left as it was", nil
		})
	}
	if err != nil {
		if r.aborted(ctx) {
			r.left(spec.Target + " may be left as the drill's apply made it: the drill was aborted while restoring it")
			return
		}
		r.fail(err.Error())
		r.left(spec.Target + " was not returned to its state before the drill: " + err.Error())
	}
}

// finishOp ends the drill's operation with its outcome.
func finishOp(ctx context.Context, r *run, op Operation) error {
	status, summary := "succeeded", "canary drill passed"
	switch {
	case r.aborted(ctx):
		status, summary = "aborted", r.rep.AbortReason
	case len(r.rep.Failures) > 0:
		status, summary = "failed", joinFailures(r.rep.Failures)
	}
	if err := op.Finish(context.WithoutCancel(ctx), status, r.redact(summary), r.now()); err != nil {
		return fmt.Errorf("finish the drill's operation: %w", err)
	}
	return nil
}
