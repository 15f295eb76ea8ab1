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
// directory. A bare binary name is still looked up in PATH.
func OptionsFromConfig(cfg *config.Config, logger *slog.Logger) Options {
	bin := cfg.Terraform.Binary
	if strings.ContainsRune(bin, filepath.Separator) {
		bin = cfg.Path(bin)
	}
	return Options{
		Binary:         bin,
		CLIConfigFile:  cfg.Path(cfg.Terraform.CLIConfigFile),
		PluginCacheDir: cfg.Path(cfg.Terraform.PluginCacheDir),
		Timeout:        cfg.Terraform.Timeout,
		Logger:         logger,
	}
}

// OpenProvider opens the workspace of a provider's terraform block.
func OpenProvider(cfg *config.Config, p *config.Provider, opts Options) (*Workspace, error) {
	if p.Terraform == nil {
		return nil, fmt.Errorf("provider %q has no terraform block", p.Name)
	}
	return Open(cfg.Path(p.Terraform.Dir), p.Terraform.Workspace, opts)
}
