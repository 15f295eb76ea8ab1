package terraform

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// OptionsFromConfig returns Options for the configuration's top-level
// terraform block, with paths resolved against the configuration's
// directory. A bare binary name is still looked up in PATH. Variable files
// go next to the journal (VarDirForState of state.path).
func OptionsFromConfig(cfg *config.Config, logger *slog.Logger) Options {
	bin := cfg.Terraform.Binary
	if strings.ContainsRune(bin, filepath.Separator) {
		bin = cfg.Path(bin)
	}
	var varDir string
	if cfg.State.Path != "" {
		varDir = VarDirForState(cfg.Path(cfg.State.Path))
	}
	return Options{
		Binary:         bin,
		VarDir:         varDir,
		CLIConfigFile:  cfg.Path(cfg.Terraform.CLIConfigFile),
		PluginCacheDir: cfg.Path(cfg.Terraform.PluginCacheDir),
		Timeout:        cfg.Terraform.Timeout,
		LockTimeout:    cfg.Terraform.LockTimeout,
		Logger:         logger,
	}
}

// OpenProvider opens the workspace of a provider's terraform block.
func OpenProvider(cfg *config.Config, p *config.Provider, opts Options) (*Workspace, error) {
	if p.Terraform == nil {
		return nil, fmt.Errorf("provider %q has no terraform block", p.Name)
	}
	opts.PassEnv = p.Terraform.PassEnv
	opts.BackendConfig = p.Terraform.BackendConfig
	opts.SecretBackendConfig = p.Terraform.SecretBackendConfig
	return Open(cfg.Path(p.Terraform.Dir), p.Terraform.Workspace, opts)
}
