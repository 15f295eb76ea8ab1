package terraform

import (
	"context"
	"io"
	"path/filepath"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Apply applies the configuration with vars (for a service: active = true,
// count, size, ...). progress, when not nil, receives the CLI's
// machine-readable UI as Events while the apply runs; it is called from
// the goroutine reading the CLI's output, so it should return quickly.
func (w *Workspace) Apply(ctx context.Context, vars map[string]string, progress func(Event)) error {
	w.remember(vars)
	return w.apply(ctx, "apply", vars, progress)
}

// ApplyPlan applies a plan file written by Plan, exactly as planned. It
// fails if the state changed since (the plan is then stale).
func (w *Workspace) ApplyPlan(ctx context.Context, planFile string, progress func(Event)) error {
	abs, err := filepath.Abs(planFile)
	if err != nil {
		return err
	}
	return w.apply(ctx, "apply plan", nil, progress, tfexec.DirOrPlan(abs))
}

// apply waits up to the lock timeout for a state lock another command
// holds; a lock still held then is a *LockedError naming its holder.
func (w *Workspace) apply(ctx context.Context, op string, vars map[string]string, progress func(Event), opts ...tfexec.ApplyOption) error {
	opts = append(opts, w.lockTimeout())
	return lockedOr(w.streamed(ctx, op, vars, progress, func(ctx context.Context, out io.Writer) error {
		return w.tf.ApplyJSON(ctx, out, opts...)
	}))
}

// streamed runs a command that writes the CLI's machine-readable UI (apply,
// destroy) under the workspace lock, after prepare, with vars in its
// environment, passing its events to progress.
func (w *Workspace) streamed(ctx context.Context, op string, vars map[string]string, progress func(Event), call func(context.Context, io.Writer) error) error {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := w.prepare(ctx, BackendKeep); err != nil {
		return err
	}
	defer w.setVars(vars)()
	ev := newEventWriter(progress, w.redact)
	err = w.run(ctx, op, func(ctx context.Context) error {
		// The JSON commands set the Terraform's stdout for every later
		// command too: reset it.
		defer w.tf.SetStdout(nil)
		return call(ctx, ev)
	}, ev.errorLines)
	ev.flush()
	return err
}
