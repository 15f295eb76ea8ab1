package terraform

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Defaults for Options.
const (
	DefaultTimeout   = config.DefaultTerraformTimeout
	DefaultKillAfter = 60 * time.Second // terraform-exec's own default
)

// Options say how every workspace runs the CLI. They come from the
// configuration's top-level terraform block.
type Options struct {
	// Binary is a path or a name looked up in PATH; "" means tofu, then
	// terraform.
	Binary string
	// CLIConfigFile is passed as TF_CLI_CONFIG_FILE (provider mirror, plugin
	// cache). When empty, the inherited environment's value is kept.
	CLIConfigFile string
	// PluginCacheDir is passed as TF_PLUGIN_CACHE_DIR when set; it is
	// created if missing.
	PluginCacheDir string
	// Timeout bounds one operation (Prepare, Plan, Apply, Outputs),
	// including the wait for the workspace lock. Default 10m.
	Timeout time.Duration
	// LockTimeout is how long an apply waits for a state lock held by
	// another command (-lock-timeout). Default DefaultLockTimeout.
	LockTimeout time.Duration
	// KillAfter is how long a command may take to stop after SIGINT
	// before it is killed. Default 60s.
	KillAfter time.Duration
	// VarDir is where versions before variables went through the
	// environment wrote each command's variable file: files a killed
	// process left there are swept (SweepVarFiles). It is created with
	// mode 0700 and refused (ErrUnsafeVarDir) if another user could get
	// in. OptionsFromConfig sets VarDirForState(journal path). "" means
	// DefaultVarDir().
	VarDir string
	// PassEnv names the variables (NAME, or a prefix NAME_*) passed from
	// lifeboat's environment besides config.BaseEnv and
	// config.TerraformBaseEnv: cloud and backend credentials. Nothing
	// else of lifeboat's environment reaches the CLI.
	PassEnv []string
	// BackendConfig completes the root module's backend block at init
	// (-backend-config key=value). The values named in
	// SecretBackendConfig reach init through its environment, never its
	// command line, and are redacted from errors.
	BackendConfig       map[string]string
	SecretBackendConfig map[string]bool
	// Logger receives one line per command; nil discards.
	Logger *slog.Logger
}

// Workspace is one Terraform root module directory and workspace name.
// Its methods are safe for concurrent use: they run one at a time.
type Workspace struct {
	dir     string // absolute
	name    string // Terraform workspace name
	dataDir string // absolute .terraform (or TF_DATA_DIR)
	binary  string // absolute path
	opts    Options
	env     map[string]string
	tf      *tfexec.Terraform
	log     *slog.Logger

	// sem is the in-process half of the workspace lock (see lock.go).
	sem chan struct{}

	// stderr collects the current command's stderr; set under the lock.
	stderr *tailBuffer
	// lastFailure is the text of the last command's error, "" after a
	// success; under the lock.
	lastFailure string

	secretsMu sync.Mutex
	secrets   map[string]struct{} // variable values ever passed, for redaction
}

// Open returns a Workspace for the root module in dir and the Terraform
// workspace name ("" means "default"). It checks the binary and files but
// runs nothing.
func Open(dir, name string, opts Options) (*Workspace, error) {
	if name == "" {
		name = "default"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open workspace: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open workspace: %s is not a directory", abs)
	}
	bin, err := FindBinary(opts.Binary)
	if err != nil {
		return nil, err
	}
	if opts.CLIConfigFile != "" {
		if opts.CLIConfigFile, err = filepath.Abs(opts.CLIConfigFile); err != nil {
			return nil, err
		}
		// A missing file only makes the CLI warn and then fetch providers
		// from the network: fail now, not during an emergency.
		if _, err := os.Stat(opts.CLIConfigFile); err != nil {
			return nil, fmt.Errorf("terraform CLI config file: %w", err)
		}
	}
	if opts.PluginCacheDir != "" {
		if opts.PluginCacheDir, err = filepath.Abs(opts.PluginCacheDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(opts.PluginCacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("plugin cache dir: %w", err)
		}
	}
	if opts.VarDir == "" {
		opts.VarDir = DefaultVarDir()
	}
	if opts.VarDir, err = filepath.Abs(opts.VarDir); err != nil {
		return nil, err
	}
	// A directory we cannot use fails now, not during an emergency.
	if err := ensureVarDir(opts.VarDir); err != nil {
		return nil, fmt.Errorf("open workspace: %w", err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.KillAfter <= 0 {
		opts.KillAfter = DefaultKillAfter
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sweepOnce(opts.VarDir, log)

	env, dropped := buildEnv(os.Environ(), opts)
	if len(dropped) > 0 {
		log.Debug("terraform: not passing environment variables managed by terraform-exec", "names", dropped)
	}
	tf, err := tfexec.NewTerraform(abs, bin)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, err
	}
	if err := tf.SetWaitDelay(opts.KillAfter); err != nil {
		return nil, err
	}
	dataDir := ".terraform"
	if d := env["TF_DATA_DIR"]; d != "" {
		dataDir = d
	}
	if !filepath.IsAbs(dataDir) {
		dataDir = filepath.Join(abs, dataDir)
	}
	w := &Workspace{
		dir:     abs,
		name:    name,
		dataDir: dataDir,
		binary:  bin,
		opts:    opts,
		env:     env,
		tf:      tf,
		log:     log.With("workspace", abs, "name", name),
		sem:     make(chan struct{}, 1),
		secrets: map[string]struct{}{},
	}
	// The CLI may echo a backend setting in its diagnostics.
	for k, v := range opts.BackendConfig {
		if opts.SecretBackendConfig[k] {
			w.remember(map[string]string{k: v})
		}
	}
	return w, nil
}

// Dir is the workspace's absolute directory.
func (w *Workspace) Dir() string { return w.dir }

// Name is the Terraform workspace name.
func (w *Workspace) Name() string { return w.name }

// Binary is the absolute path of the CLI that runs this workspace.
func (w *Workspace) Binary() string { return w.binary }

// buildEnv is the environment of every command: from the process
// environment only config.BaseEnv, config.TerraformBaseEnv and
// opts.PassEnv (never lifeboat's own tokens and secrets), without the
// variables terraform-exec manages itself (SetEnv refuses them: TF_VAR_*,
// TF_CLI_ARGS*, TF_LOG*, TF_WORKSPACE, TF_IN_AUTOMATION, ...), plus
// CHECKPOINT_DISABLE=1 (no calls home) and the configured CLI config file
// and plugin cache. terraform-exec itself sets TF_IN_AUTOMATION=1 on every
// command. It returns the names it dropped as managed.
//
// Dropping TF_VAR_* means variables must come from the configuration
// (which can read them from the environment with env()), not ambiently.
func buildEnv(environ []string, opts Options) (env map[string]string, dropped []string) {
	kept := config.ChildEnv(environ, config.BaseEnv, config.TerraformBaseEnv, opts.PassEnv)
	env = make(map[string]string, len(kept)+3)
	for _, kv := range kept {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	dropped = tfexec.ProhibitedEnv(env)
	for _, k := range dropped {
		delete(env, k)
	}
	sort.Strings(dropped)
	env["CHECKPOINT_DISABLE"] = "1"
	if opts.CLIConfigFile != "" {
		env["TF_CLI_CONFIG_FILE"] = opts.CLIConfigFile
	}
	if opts.PluginCacheDir != "" {
		env["TF_PLUGIN_CACHE_DIR"] = opts.PluginCacheDir
	}
	return env, dropped
}

// begin starts an operation: the timeout, then the workspace lock.
func (w *Workspace) begin(ctx context.Context) (context.Context, func(), error) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	unlock, err := w.lock(ctx)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return ctx, func() { unlock(); cancel() }, nil
}

// run runs one CLI command through fn with a fresh stderr buffer, logs it,
// and turns a failure into an *Error. extra adds lines (diagnostics from
// JSON output) to the error text.
func (w *Workspace) run(ctx context.Context, op string, fn func(context.Context) error, extra func() []string) error {
	w.stderr = newTailBuffer(64 << 10)
	w.tf.SetStderr(w.stderr)
	defer w.tf.SetStderr(nil)
	start := time.Now()
	err := fn(ctx)
	took := time.Since(start)
	if err == nil {
		w.lastFailure = ""
		w.log.Debug("terraform command", "op", op, "took", took.Round(time.Millisecond))
		return nil
	}
	var lines []string
	if extra != nil {
		lines = extra()
	}
	e := w.newError(ctx, op, err, took, lines)
	// The caller reports the error, with the CLI's diagnostics: the log
	// keeps one line, once while the same failure repeats (a workspace
	// whose init fails fails every command of a drill).
	level := slog.LevelWarn
	if e.Error() == w.lastFailure {
		level = slog.LevelDebug
	}
	w.lastFailure = e.Error()
	first, _, _ := strings.Cut(e.Error(), "\n")
	w.log.Log(ctx, level, "terraform command failed", "op", op, "took", took.Round(time.Millisecond), "err", first)
	w.log.Debug("terraform command output", "op", op, "output", e.Output)
	return e
}
