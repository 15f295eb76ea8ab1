package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// globals are the flags every command shares, and where it writes.
type globals struct {
	configPath string
	output     string
	verbose    bool
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
}

// logger writes structured logs to stderr; debug level with -v.
func (g *globals) logger() *slog.Logger {
	level := slog.LevelInfo
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
}

// json reports whether -o json was asked for.
func (g *globals) json() bool { return g.output == "json" }

// loadConfig reads and validates the configuration; an invalid one is a usage error (exit 2).
func (g *globals) loadConfig() (*config.Config, error) {
	cfg, err := engine.LoadConfig(g.configPath)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := withCause(ctx, root.ExecuteContext(ctx))
	if err != nil {
		var ue usageError
		if !errors.As(err, &ue) && isCobraUsage(err) {
			err = usageError{err}
		}
		printErr(g, err)
	}
	return exitCode(err)
}

// isCobraUsage reports errors cobra raises for bad flags or arguments;
// commands wrap their own usage errors explicitly.
func isCobraUsage(err error) bool {
	var fe flagError
	// cobra's unknown command error has no type of its own: its message
	// is the only way to tell it apart.
	return errors.As(err, &fe) || strings.HasPrefix(err.Error(), "unknown command ")
}

type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "lifeboat",
		Short:         "Keep a service reachable when a hosting provider drops it",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case g.output == "markdown" && cmd.Name() == "audit":
			case g.output != "text" && g.output != "json":
				return usageError{fmt.Errorf("--output must be text or json (or markdown for audit), not %q", g.output)}
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.PersistentFlags().StringVarP(&g.configPath, "config", "c", "lifeboat.hcl", "configuration file")
	root.PersistentFlags().StringVarP(&g.output, "output", "o", "text", "output format: text or json (audit also: markdown)")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "debug logging on stderr")
	root.AddCommand(
		newValidateCmd(g),
		newStatusCmd(g),
		newPlanCmd(g),
		newFailoverCmd(g),
		newFailbackCmd(g),
		newDrillCmd(g),
		newRunCmd(g),
		newHoldCmd(g),
		newHistoryCmd(g),
		newResumeCmd(g),
		newAbortCmd(g),
		newPrepareCmd(g),
		newAuditCmd(g),
		newSyncCmd(g),
		newInitCmd(g),
		newDoctorCmd(g),
		newManCmd(g),
	)
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}
