package terraform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// stampFileName records, in the data directory, what the last successful
// init saw; while it matches, init is skipped.
const stampFileName = "lifeboat-prepared"

// maxStampFiles bounds the configuration walk.
const maxStampFiles = 2000

// Prepare initialises the workspace when needed and selects its Terraform
// workspace, creating it if it does not exist. Run it ahead of time (at
// start-up, in drills) so an emergency finds the workspace warm; Plan,
// Apply and Outputs call it too, and then it costs only a few file reads.
func (w *Workspace) Prepare(ctx context.Context) error {
	return w.PrepareBackend(ctx, BackendKeep)
}

// ErrBackendChanged is returned (wrapped) by Prepare, and so by every
// command, when the workspace's backend settings (backend_config or the
// backend block) differ from those of its last init: the CLI will not
// guess whether the state is to be copied. PrepareBackend with
// BackendMigrate or BackendReconfigure settles it.
var ErrBackendChanged = errors.New("the backend configuration changed since the workspace was initialised")

// BackendChange is what init does about a changed backend configuration.
type BackendChange int

const (
	// BackendKeep changes nothing: a changed backend is ErrBackendChanged.
	BackendKeep BackendChange = iota
	// BackendMigrate copies the state to the new backend (-force-copy,
	// which is -migrate-state answering yes).
	BackendMigrate
	// BackendReconfigure uses the new backend as it is, its own state,
	// nothing copied (-reconfigure).
	BackendReconfigure
)

// PrepareBackend is Prepare, telling init what to do if the backend
// configuration changed. The change only applies when init runs.
func (w *Workspace) PrepareBackend(ctx context.Context, change BackendChange) error {
	ctx, done, err := w.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	return w.prepare(ctx, change)
}

// backendChangedMarker is the CLI's diagnostic summary (tofu and
// terraform alike).
const backendChangedMarker = "Backend configuration changed"

// backendChangedError is ErrBackendChanged with what to run instead of the
// CLI's diagnostics, whose advice (tofu init -migrate-state) would run
// init without the backend_config lifeboat passes it.
type backendChangedError struct{ cause *Error }

func (e *backendChangedError) Error() string {
	return ErrBackendChanged.Error() + " (" + e.cause.Binary + " init refused): " +
		"`lifeboat prepare --migrate-state` copies the state to the new backend, " +
		"`lifeboat prepare --reconfigure` uses the new backend's own state"
}

func (e *backendChangedError) Unwrap() []error { return []error{ErrBackendChanged, e.cause} }

// Prepared reports, from files alone, whether Prepare would run nothing:
// the last init saw the current configuration, lock file, CLI config and
// binary, and the right workspace is selected.
func (w *Workspace) Prepared() bool {
	stamp, err := w.stamp()
	if err != nil {
		return false
	}
	return w.initUpToDate(stamp) && w.currentWorkspace() == w.name
}

// prepare does Prepare's work; the caller holds the lock.
func (w *Workspace) prepare(ctx context.Context, change BackendChange) error {
	stamp, err := w.stamp()
	if err != nil {
		return fmt.Errorf("prepare %s: %w", w.dir, err)
	}
	if !w.initUpToDate(stamp) {
		backend, unset := w.backendConfig()
		opts := append([]tfexec.InitOption{tfexec.Upgrade(false)}, backend...)
		switch change {
		case BackendMigrate:
			opts = append(opts, tfexec.ForceCopy(true))
		case BackendReconfigure:
			opts = append(opts, tfexec.Reconfigure(true))
		}
		err := w.run(ctx, "init", func(ctx context.Context) error {
			return w.tf.Init(ctx, opts...)
		}, nil)
		unset()
		var te *Error
		if errors.As(err, &te) && strings.Contains(te.Output, backendChangedMarker) {
			// The CLI's own advice (tofu init -migrate-state) would run init
			// without the backend_config lifeboat passes it.
			return &backendChangedError{cause: te}
		}
		if err != nil {
			return err
		}
		if err := w.protectBackendState(); err != nil {
			return fmt.Errorf("prepare %s: %w", w.dir, err)
		}
		// init may have written the dependency lock file: stamp afresh.
		if stamp, err = w.stamp(); err != nil {
			return fmt.Errorf("prepare %s: %w", w.dir, err)
		}
		if err := os.WriteFile(filepath.Join(w.dataDir, stampFileName), []byte(stamp), 0o644); err != nil {
			return fmt.Errorf("prepare %s: %w", w.dir, err)
		}
	}
	if w.currentWorkspace() == w.name {
		return nil
	}
	var names []string
	err = w.run(ctx, "workspace list", func(ctx context.Context) error {
		var err error
		names, _, err = w.tf.WorkspaceList(ctx)
		return err
	}, nil)
	if err != nil {
		return err
	}
	if slices.Contains(names, w.name) {
		return w.run(ctx, "workspace select", func(ctx context.Context) error {
			return w.tf.WorkspaceSelect(ctx, w.name)
		}, nil)
	}
	return w.run(ctx, "workspace new", func(ctx context.Context) error {
		return w.tf.WorkspaceNew(ctx, w.name) // also selects it
	}, nil)
}

func (w *Workspace) initUpToDate(stamp string) bool {
	old, err := os.ReadFile(filepath.Join(w.dataDir, stampFileName))
	return err == nil && string(old) == stamp
}

// currentWorkspace reads the selection the CLI keeps in the data directory
// (TF_WORKSPACE is never passed: terraform-exec removes it).
func (w *Workspace) currentWorkspace() string {
	b, err := os.ReadFile(filepath.Join(w.dataDir, "environment"))
	if name := string(bytes.TrimSpace(b)); err == nil && name != "" {
		return name
	}
	return "default"
}

// stamp digests what init depends on: the configuration files (all of
// them, so a changed module or provider block is seen wherever it is), the
// dependency lock file, the CLI config file, the plugin cache location and
// the binary. Editing a resource also changes it; the init that follows is
// warm (providers already present) and quick.
func (w *Workspace) stamp() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "binary %s\n", w.binary)
	if fi, err := os.Stat(w.binary); err == nil {
		fmt.Fprintf(h, "binary-stat %d %d\n", fi.Size(), fi.ModTime().UnixNano())
	}
	fmt.Fprintf(h, "cli-config %s\n", w.env["TF_CLI_CONFIG_FILE"])
	if f := w.env["TF_CLI_CONFIG_FILE"]; f != "" {
		b, _ := os.ReadFile(f)
		fmt.Fprintf(h, "%x\n", sha256.Sum256(b))
	}
	fmt.Fprintf(h, "plugin-cache %s\n", w.env["TF_PLUGIN_CACHE_DIR"])
	if d := backendDigest(w.opts.BackendConfig); d != "" {
		fmt.Fprintf(h, "backend-config %s\n", d)
	}

	n := 0
	err := filepath.WalkDir(w.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != w.dir && (strings.HasPrefix(name, ".") || path == w.dataDir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !isConfigFile(name) && !(name == ".terraform.lock.hcl" && filepath.Dir(path) == w.dir) {
			return nil
		}
		if n++; n > maxStampFiles {
			return fmt.Errorf("more than %d configuration files under %s", maxStampFiles, w.dir)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w.dir, path)
		fmt.Fprintf(h, "file %s %x\n", rel, sha256.Sum256(b))
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func isConfigFile(name string) bool {
	for _, ext := range []string{".tf", ".tf.json", ".tofu", ".tofu.json"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
