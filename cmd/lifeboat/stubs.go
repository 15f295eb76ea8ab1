package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// errNotYet is returned by commands of the CLI contract that this version
// does not implement yet; they exist so the command tree and flags are stable.
var errNotYet = errors.New("not implemented in this version of lifeboat")

func notYet(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short + " (not implemented yet)",
		RunE:  func(*cobra.Command, []string) error { return errNotYet },
	}
}

func newAuditCmd(g *globals) *cobra.Command { return notYet("audit", "Report deplatforming risks") }
