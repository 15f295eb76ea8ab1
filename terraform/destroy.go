package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Destroy destroys every resource of the workspace, with vars passed the
// way Apply passes them (in the command's environment, never argv or a
// file): the drills
// tear a cold standby down again with it. progress receives the CLI's
// machine-readable UI like Apply's.
func (w *Workspace) Destroy(ctx context.Context, vars map[string]string, progress func(Event)) error {
	w.remember(vars)
	return w.streamed(ctx, "destroy", vars, progress, func(ctx context.Context, out io.Writer) error {
		return w.tf.DestroyJSON(ctx, out)
	})
}

// Resources lists the managed resource instances in the workspace's state
// ("module.host.terraform_data.host[0]"), sorted; none for a workspace
// never applied, or destroyed. A drill asks it to tell a cold standby
// (nothing there) from one already running.
func (w *Workspace) Resources(ctx context.Context) ([]string, error) {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := w.prepare(ctx, BackendKeep); err != nil {
		return nil, err
	}
	var raw string
	err = w.run(ctx, "state pull", func(ctx context.Context) error {
		var err error
		raw, err = w.tf.StatePull(ctx)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return stateResources([]byte(raw))
}

// stateDoc is the part of a version 4 state file that lists resources.
type stateDoc struct {
	Resources []struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			IndexKey any `json:"index_key"`
		} `json:"instances"`
	} `json:"resources"`
}

// stateResources lists the managed resource instances of a state file;
// an empty document (no state yet) has none.
func stateResources(raw []byte) ([]string, error) {
	out := []string{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return out, nil
	}
	var doc stateDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	for _, r := range doc.Resources {
		if r.Mode != "managed" {
			continue
		}
		addr := r.Type + "." + r.Name
		if r.Module != "" {
			addr = r.Module + "." + addr
		}
		for _, in := range r.Instances {
			switch k := in.IndexKey.(type) {
			case nil:
				out = append(out, addr)
			case string:
				out = append(out, fmt.Sprintf("%s[%q]", addr, k))
			default:
				out = append(out, fmt.Sprintf("%s[%v]", addr, k))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
