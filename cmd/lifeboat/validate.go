package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

func newValidateCmd(g *globals) *cobra.Command {
	var noEnv bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Parse and check the configuration",
		Long: "Parse and check the configuration; every problem as FILE:LINE:COL: message.\n\n" +
			"With --no-env (for CI, without the secrets): env() of an unset variable is not an error;\n" +
			"a placeholder stands in for its value, what depends on that value is not checked, and\n" +
			"the variables not set are named.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var cfg *config.Config
			var err error
			if noEnv {
				cfg, err = engine.LoadConfigNoEnv(g.configPath)
				if err != nil {
					err = usageError{err}
				}
			} else {
				cfg, err = g.loadConfig()
			}
			unset := unsetEnv(cfg, err)
			if g.json() {
				doc := map[string]any{"valid": err == nil, "config": g.configPath}
				if noEnv {
					doc["unset_env"] = append([]string{}, unset...)
				}
				if err != nil {
					doc["errors"] = configErrors(err)
				} else {
					doc["providers"], doc["services"], doc["dns"] = len(cfg.Providers), len(cfg.Services), len(cfg.DNS)
				}
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if encErr := enc.Encode(doc); encErr != nil {
					return encErr
				}
				if err != nil {
					return silentError{err}
				}
				return nil
			}
			if len(unset) > 0 {
				fmt.Fprintf(g.stderr, "lifeboat: --no-env: not set, a placeholder used and the values that depend on them not checked: %s\n", strings.Join(unset, ", "))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: valid (%s, %s, %s)\n", g.configPath, counted(len(cfg.Providers), "provider"),
				counted(len(cfg.Services), "service"), counted(len(cfg.DNS), "DNS provider"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&noEnv, "no-env", false, "an unset variable read by env() is not an error (check in CI without the secrets)")
	return cmd
}

// unsetEnv names the variables --no-env stood in for, whether or not the
// configuration is valid.
func unsetEnv(cfg *config.Config, err error) []string {
	var ce *config.Error
	switch {
	case cfg != nil:
		return cfg.UnsetEnv
	case errors.As(err, &ce):
		return ce.UnsetEnv
	}
	return nil
}

// configErrors lists an invalid configuration's diagnostics as FILE:LINE:COL: message strings.
func configErrors(err error) []string {
	var ce *config.Error
	if errors.As(err, &ce) {
		out := make([]string, len(ce.Diags))
		for i, d := range ce.Diags {
			out[i] = d.String()
		}
		return out
	}
	return []string{err.Error()}
}

// counted is "1 service", "2 services".
func counted(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
