package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/terraform"
)

// PrepareResult is one workspace in `lifeboat prepare -o json`.
type PrepareResult struct {
	Provider string  `json:"provider"`
	Dir      string  `json:"dir"`
	Already  bool    `json:"already_prepared"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
	err      error
}

// Err is the workspace's error, if any.
func (r PrepareResult) Err() error { return r.err }

// BackendChange is what `lifeboat prepare` tells init to do when a
// workspace's backend configuration changed since its last init.
type BackendChange string

const (
	// BackendKeep refuses: the workspace fails with a message saying what
	// to run.
	BackendKeep BackendChange = ""
	// BackendMigrate copies the state to the new backend.
	BackendMigrate BackendChange = "migrate-state"
	// BackendReconfigure uses the new backend's own state, nothing copied.
	BackendReconfigure BackendChange = "reconfigure"
)

func (c BackendChange) terraform() (terraform.BackendChange, error) {
	switch c {
	case BackendKeep:
		return terraform.BackendKeep, nil
	case BackendMigrate:
		return terraform.BackendMigrate, nil
	case BackendReconfigure:
		return terraform.BackendReconfigure, nil
	}
	return 0, fmt.Errorf("%w: backend change %q (want %q or %q)", ErrInvalidRequest, string(c), BackendMigrate, BackendReconfigure)
}

// Prepare initialises every provider's workspace, only where something
// changed since the last init, so an emergency starts applying at once.
// change says what init does where the backend configuration changed.
// done hears about each workspace as it finishes.
func (e *Engine) Prepare(ctx context.Context, change BackendChange, done func(PrepareResult)) []PrepareResult {
	tc, cerr := change.terraform()
	results := []PrepareResult{}
	for _, p := range e.Cfg.Providers {
		if p.Terraform == nil {
			continue
		}
		r := PrepareResult{Provider: p.Name, Dir: p.Terraform.Dir}
		start := time.Now()
		ws, err := e.workspace(p.Name)
		if err == nil {
			err = cerr
		}
		if err == nil {
			r.Already = ws.Prepared()
			err = ws.PrepareBackend(ctx, tc)
		}
		r.Seconds = time.Since(start).Seconds()
		if err != nil {
			// The CLI's diagnostics may echo a backend_config value.
			r.Error = e.Cfg.Redact(err.Error())
			r.err = fmt.Errorf("provider %s: %w", p.Name, &redactedError{text: r.Error, err: err})
		}
		if done != nil {
			done(r)
		}
		results = append(results, r)
	}
	return results
}

// redactedError is err with its text redacted; it still unwraps to err.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }
