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

func newFailoverCmd(g *globals) *cobra.Command {
	return notYet("failover", "Move a service to another provider now")
}
func newFailbackCmd(g *globals) *cobra.Command {
	return notYet("failback", "Move a service back to its preferred provider")
}
func newDrillCmd(g *globals) *cobra.Command { return notYet("drill [NAME]", "Run a drill now") }
func newRunCmd(g *globals) *cobra.Command {
	return notYet("run", "Run the daemon: health loop, automatic failover, drills, API")
}
func newHistoryCmd(g *globals) *cobra.Command {
	return notYet("history", "List past operations from the journal")
}
func newAuditCmd(g *globals) *cobra.Command { return notYet("audit", "Report deplatforming risks") }
func newStatusCmd(g *globals) *cobra.Command {
	return notYet("status", "Run every check once and show provider states")
}
func newPlanCmd(g *globals) *cobra.Command {
	return notYet("plan", "Show what a failover would do now, and why")
}
