package terraform

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Plan writes a plan for vars to the file out (relative to the caller's
// working directory, not the workspace's) and reports whether it has
// changes. The plan file holds the variable values: keep it private.
func (w *Workspace) Plan(ctx context.Context, vars map[string]string, out string) (changes bool, err error) {
	if out == "" {
		return false, fmt.Errorf("plan %s: no plan file given", w.dir)
	}
	if out, err = filepath.Abs(out); err != nil {
		return false, err
	}
	w.remember(vars)
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return false, err
	}
	defer done()
	if err := w.prepare(ctx); err != nil {
		return false, err
	}
	defer w.setVars(vars)()
	err = w.run(ctx, "plan", func(ctx context.Context) error {
		changes, err = w.tf.Plan(ctx, tfexec.Out(out))
		return err
	}, nil)
	return changes, err
}
