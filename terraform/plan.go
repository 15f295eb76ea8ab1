package terraform

import (
	"context"
	"path/filepath"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Plan plans for vars and reports whether the plan has changes. With out
// set it writes the plan to that file (relative to the caller's working
// directory, not the workspace's); the plan file holds the variable values:
// keep it private. With out "" nothing is written.
func (w *Workspace) Plan(ctx context.Context, vars map[string]string, out string) (changes bool, err error) {
	var opts []tfexec.PlanOption
	if out != "" {
		if out, err = filepath.Abs(out); err != nil {
			return false, err
		}
		opts = append(opts, tfexec.Out(out))
	}
	w.remember(vars)
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return false, err
	}
	defer done()
	if err := w.prepare(ctx, BackendKeep); err != nil {
		return false, err
	}
	defer w.setVars(vars)()
	err = w.run(ctx, "plan", func(ctx context.Context) error {
		changes, err = w.tf.Plan(ctx, opts...)
		return err
	}, nil)
	return changes, err
}
