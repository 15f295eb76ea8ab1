package drill

import (
	"context"
	"fmt"
	"time"
)

// Failover runs engine operations for a full drill.
type Failover interface {
	// Run runs one operation of kind "drill" (toward to, the planner's
	// choice when empty) or "failback".
	Run(ctx context.Context, kind, to string) (OpResult, error)
	// Abort ends an operation left unfinished, as aborted.
	Abort(ctx context.Context, opID, reason string) error
	// Placement says where the service runs now.
	Placement(ctx context.Context) (string, error)
}

// OpResult is what one operation of a full drill did.
type OpResult struct {
	OpID string
	// Recovery is the operation's start to DNS verified.
	Recovery time.Duration
	// Unfinished is set when the operation was left unfinished (an
	// interruption, DNS pending).
	Unfinished bool
	// To is where the operation moved the service.
	To string
}

// full fails the service over and back through the engine's one path.
func full(ctx context.Context, r *run, spec Spec, env Env) {
	res, err := fullOp(ctx, r, env, spec.Service+"/drill-failover", "drill", spec.Target)
	if err == nil {
		r.rep.RecoveryTime = res.Recovery
		if spec.Target == "" {
			r.rep.Target = res.To
		}
		_, err = fullOp(ctx, r, env, spec.Service+"/drill-failback", "failback", "")
	}
	if err == nil {
		return
	}
	if !r.aborted(ctx) {
		r.fail(err.Error())
	}
	where, perr := env.Failover.Placement(context.WithoutCancel(ctx))
	switch {
	case perr != nil:
		r.left(fmt.Sprintf("%s: cannot tell where it runs now: %v", spec.Service, perr))
	case where != spec.Current:
		r.left(fmt.Sprintf("%s runs on %s now, not %s: `lifeboat failback` moves it back", spec.Service, where, spec.Current))
	}
}

// fullOp runs one operation as a step; an interrupted one is ended as
// aborted so it does not block the real failover that follows.
func fullOp(ctx context.Context, r *run, env Env, name, kind, to string) (OpResult, error) {
	var res OpResult
	err := r.step(ctx, name, func(ctx context.Context) (string, error) {
		var err error
		res, err = env.Failover.Run(ctx, kind, to)
		if res.OpID != "" {
			r.rep.Operations = append(r.rep.Operations, res.OpID)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("operation %s moved the service to %s in %s", res.OpID, res.To, res.Recovery.Round(time.Millisecond)), nil
	})
	if err != nil && r.aborted(ctx) && res.OpID != "" && res.Unfinished {
		if aerr := env.Failover.Abort(context.WithoutCancel(ctx), res.OpID, "drill aborted: "+r.rep.AbortReason); aerr != nil {
			r.left(fmt.Sprintf("operation %s is still unfinished: %v", res.OpID, aerr))
		}
	}
	return res, err
}
