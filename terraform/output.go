package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Outputs returns the workspace's root module outputs as JSON values,
// sensitive ones included.
func (w *Workspace) Outputs(ctx context.Context) (map[string]json.RawMessage, error) {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := w.prepare(ctx, BackendKeep); err != nil {
		return nil, err
	}
	var meta map[string]tfexec.OutputMeta
	err = w.run(ctx, "output", func(ctx context.Context) error {
		var err error
		meta, err = w.tf.Output(ctx)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(meta))
	for k, m := range meta {
		out[k] = m.Value
	}
	return out, nil
}

// Addresses reads the output named output (a service's address_output) as
// host addresses: a string, or a list of strings. A missing output is
// ErrNoOutput; so is one whose value is null, and every output of a
// workspace never applied, because the CLI leaves those out.
func (w *Workspace) Addresses(ctx context.Context, output string) ([]string, error) {
	outs, err := w.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	return addressesFrom(outs, output)
}

func addressesFrom(outs map[string]json.RawMessage, name string) ([]string, error) {
	raw, ok := outs[name]
	if !ok {
		have := slices.Sorted(maps.Keys(outs))
		return nil, fmt.Errorf("output %q: %w (outputs: %s)", name, ErrNoOutput, strings.Join(have, ", "))
	}
	addrs, err := decodeAddresses(raw)
	if err != nil {
		return nil, fmt.Errorf("output %q: %w", name, err)
	}
	return addrs, nil
}

// decodeAddresses accepts a JSON string, a list of strings or null (no
// addresses), and drops empty strings.
func decodeAddresses(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var list []*string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("not a string or a list of strings")
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != nil && *s != "" {
			out = append(out, *s)
		}
	}
	return out, nil
}
