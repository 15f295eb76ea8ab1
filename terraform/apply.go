package terraform

import (
	"context"
	"path/filepath"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Apply applies the configuration with vars (for a service: active = true,
// count, size, ...). progress, when not nil, receives the CLI's
// machine-readable UI as Events while the apply runs; it is called from
// the goroutine reading the CLI's output, so it should return quickly.
func (w *Workspace) Apply(ctx context.Context, vars map[string]string, progress func(Event)) error {
	w.remember(vars)
	path, cleanup, err := w.writeVarFile(vars)
	if err != nil {
		return err
	}
	defer cleanup()
	var opts []tfexec.ApplyOption
	if path != "" {
		opts = append(opts, tfexec.VarFile(path))
	}
	return w.apply(ctx, "apply", progress, opts...)
}

// ApplyPlan applies a plan file written by Plan, exactly as planned. It
// fails if the state changed since (the plan is then stale).
func (w *Workspace) ApplyPlan(ctx context.Context, planFile string, progress func(Event)) error {
	abs, err := filepath.Abs(planFile)
	if err != nil {
		return err
	}
	return w.apply(ctx, "apply plan", progress, tfexec.DirOrPlan(abs))
}

func (w *Workspace) apply(ctx context.Context, op string, progress func(Event), opts ...tfexec.ApplyOption) error {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := w.prepare(ctx); err != nil {
		return err
	}
	ev := newEventWriter(progress, w.redact)
	err = w.run(ctx, op, func(ctx context.Context) error {
		// ApplyJSON sets the Terraform's stdout for every later command
		// too: reset it.
		defer w.tf.SetStdout(nil)
		return w.tf.ApplyJSON(ctx, ev, opts...)
	}, ev.errorLines)
	ev.flush()
	return err
}
