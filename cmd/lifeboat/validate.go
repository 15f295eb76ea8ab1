package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Parse and check the configuration",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if g.json() {
				doc := map[string]any{"valid": err == nil, "config": g.configPath}
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
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: valid (%d providers, %d services, %d DNS providers)\n",
				g.configPath, len(cfg.Providers), len(cfg.Services), len(cfg.DNS))
			return nil
		},
	}
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
