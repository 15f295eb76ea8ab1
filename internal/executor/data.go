package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// The fence and promote steps act on a service's data block around the
// cutover: fence stops the old primary taking writes (best effort: the
// old provider is usually gone, and waiting for it would delay the
// recovery it is lost for), promote makes the target's replica the
// primary (required: DNS must never send traffic to a read-only
// database). What each does comes from the configuration's data block,
// looked up by name (Step.Data) through Env.Data; Step.Provider is where
// it acts.

const (
	// defaultFenceTimeout bounds a postgres fence when the step has no
	// timeout: an old primary that does not answer by then is taken as
	// gone.
	defaultFenceTimeout = 10 * time.Second
	// defaultFenceCommandTimeout bounds a fence command (it may call a
	// cloud API to stop a machine).
	defaultFenceCommandTimeout = time.Minute
	// defaultPromoteTimeout bounds a promotion: pg_promote waits up to
	// promoteWaitSeconds, plus connecting and confirming.
	defaultPromoteTimeout = 2 * time.Minute
	promoteWaitSeconds    = 60
)

// hasDataSteps reports whether a plan fences or promotes anything.
func hasDataSteps(plan planner.Result) bool {
	for _, sp := range plan.Services {
		for _, st := range sp.Steps {
			if st.Kind == planner.StepFence || st.Kind == planner.StepPromote {
				return true
			}
		}
	}
	return false
}

// dataBlock is the step's data block from the configuration.
func (e *Executor) dataBlock(st planner.Step) (*config.Data, error) {
	if e.env.Data == nil {
		return nil, fmt.Errorf("the plan %ss data block %q but the executor has no configuration to read it from", st.Kind, st.Data)
	}
	d, err := e.env.Data(st.Service, st.Data)
	if err != nil {
		return nil, fmt.Errorf("data block %q of service %s: %w", st.Data, st.Service, err)
	}
	if d == nil {
		return nil, fmt.Errorf("service %s has no data block %q in the configuration any more", st.Service, st.Data)
	}
	return d, nil
}

func boundFor(st planner.Step, def time.Duration) time.Duration {
	if t := st.Timeout(); t > 0 {
		return t
	}
	return def
}

// fence makes the old primary (st.Provider) refuse writes. It never
// fails the operation for the database's sake: an old primary that
// cannot be reached or refuses is reported (fenced=false, and why) and
// the failover goes on. Only a context ended from outside stops it, so
// that a resumed run fences again.
func (e *Executor) fence(ctx context.Context, st planner.Step) (map[string]string, string, error) {
	notFenced := func(why string) (map[string]string, string, error) {
		why = e.env.Redact(why)
		return map[string]string{outFenced: "false", outWhy: why},
			fmt.Sprintf("the old primary at %s could not be fenced (it may still take writes if it comes back): %s", st.Provider, why), nil
	}
	d, err := e.dataBlock(st)
	if err != nil {
		return notFenced(err.Error())
	}
	a := d.Fence
	switch {
	case a != nil && a.Disabled:
		return map[string]string{outFenced: "false", outWhy: "disabled"},
			"fence disabled in the configuration: the application fences by itself", nil
	case a != nil && len(a.Command) > 0:
		cctx, cancel := context.WithTimeout(ctx, boundFor(st, defaultFenceCommandTimeout))
		defer cancel()
		line, err := e.runDataCommand(cctx, st, a)
		if err != nil {
			if ctx.Err() != nil {
				return nil, "", stopped(ctx)
			}
			return notFenced(err.Error())
		}
		return map[string]string{outFenced: "true"}, "fence command succeeded at " + st.Provider + line, nil
	case a != nil:
		// terraform_var is for promote only (the configuration refuses it here).
		return notFenced("the fence block sets no command")
	case d.Postgres == nil:
		return map[string]string{outFenced: "false", outWhy: "no default fence"},
			fmt.Sprintf("no fence for %s data: nothing to do", d.Kind()), nil
	}
	dsn, ok := d.Postgres.DSN[st.Provider]
	if !ok || dsn == "" {
		return notFenced(fmt.Sprintf("data block %q has no DSN for %s", st.Data, st.Provider))
	}
	pctx, cancel := context.WithTimeout(ctx, boundFor(st, defaultFenceTimeout))
	defer cancel()
	res, err := fencePostgres(pctx, dsn)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", stopped(ctx)
		}
		return notFenced(err.Error())
	}
	out := map[string]string{outFenced: "true", outEnded: strconv.Itoa(res.ended)}
	if res.standby {
		return out, "the database at " + st.Provider + " is a standby: it takes no writes", nil
	}
	return out, fmt.Sprintf("the database at %s is read-only (default_transaction_read_only = on); %d sessions opened before were ended", st.Provider, res.ended), nil
}

// promote makes the target's (st.Provider's) database the primary. Any
// failure is an error wrapping ErrNotPromoted: the operation stops before
// DNS moves. Promoting a database already the primary is done, so a
// promote interrupted and run again is safe.
func (e *Executor) promote(ctx context.Context, op *journal.Operation, st planner.Step, sp planner.ServicePlan) (map[string]string, string, error) {
	fail := func(err error) (map[string]string, string, error) {
		if ctx.Err() != nil {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("%w at %s: %w", ErrNotPromoted, st.Provider, err)
	}
	d, err := e.dataBlock(st)
	if err != nil {
		return fail(err)
	}
	a := d.Promote
	switch {
	case a != nil && a.Disabled:
		return map[string]string{outPromoted: "disabled"}, "promotion disabled in the configuration: the application promotes by itself", nil
	case a != nil && len(a.Command) > 0:
		cctx, cancel := context.WithTimeout(ctx, boundFor(st, defaultPromoteTimeout))
		defer cancel()
		line, err := e.runDataCommand(cctx, st, a)
		if err != nil {
			return fail(err)
		}
		return map[string]string{outPromoted: "true"}, "promote command succeeded at " + st.Provider + line, nil
	case a != nil && a.TerraformVar != "":
		return e.promoteByApply(ctx, op, st, sp, a.TerraformVar)
	case a != nil:
		return fail(errors.New("the promote block sets neither command nor terraform_var"))
	case d.Postgres == nil:
		return map[string]string{outPromoted: "none"}, fmt.Sprintf("no promotion for %s data: nothing to do", d.Kind()), nil
	}
	dsn, ok := d.Postgres.DSN[st.Provider]
	if !ok || dsn == "" {
		return fail(fmt.Errorf("data block %q has no DSN for %s", st.Data, st.Provider))
	}
	pctx, cancel := context.WithTimeout(ctx, boundFor(st, defaultPromoteTimeout))
	defer cancel()
	already, err := promotePostgres(pctx, dsn)
	if err != nil {
		return fail(err)
	}
	if already {
		return map[string]string{outPromoted: "already"}, "the database at " + st.Provider + " is already the primary", nil
	}
	return map[string]string{outPromoted: "true"}, "the database at " + st.Provider + " is promoted: it is the primary and takes writes", nil
}

// promoteByApply applies the target's workspace again with its usual
// vars (those of the plan's apply step toward it) and name = "true": the
// workspace promotes its own database. The apply path's state-lock
// handling applies, under the promote step's key.
func (e *Executor) promoteByApply(ctx context.Context, op *journal.Operation, st planner.Step, sp planner.ServicePlan, name string) (map[string]string, string, error) {
	wsStep := st
	if wsStep.Workspace == nil {
		for _, s := range sp.Steps {
			if s.Kind == planner.StepApply && s.Provider == st.Provider {
				wsStep = s
				break
			}
		}
	}
	if wsStep.Workspace == nil {
		return nil, "", fmt.Errorf("%w at %s: terraform_var %q needs the target's Terraform workspace and %s has none", ErrNotPromoted, st.Provider, name, st.Provider)
	}
	vars, err := e.vars(wsStep)
	if err != nil {
		return nil, "", fmt.Errorf("%w at %s: %w", ErrNotPromoted, st.Provider, err)
	}
	vars = maps.Clone(vars)
	if vars == nil {
		vars = map[string]string{}
	}
	vars[name] = "true"
	outputs, err := e.apply(ctx, op, st, wsStep, vars)
	if err != nil {
		if ctx.Err() != nil {
			return outputs, "", err
		}
		return outputs, "", fmt.Errorf("%w at %s: apply with %s = true: %w", ErrNotPromoted, st.Provider, name, err)
	}
	if outputs == nil {
		outputs = map[string]string{}
	}
	outputs[outPromoted] = "true"
	return outputs, "applied " + st.Provider + "'s workspace with " + name + " = true", nil
}

// dsnRedactor hides a DSN whole and, when it holds one, its password,
// however short: a DSN written in the configuration without env() is not
// a configuration secret, but its password still is.
func dsnRedactor(dsn, password string) *redact.Redactor {
	vals := []string{dsn}
	if password != "" {
		vals = append(vals, password)
	}
	return redact.Strict(vals...)
}
