package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/daemon"
)

// findDaemon returns a client of the daemon running on cfg's journal, or
// nil when none runs: the command then does the work itself.
func findDaemon(ctx context.Context, cfg *config.Config) (*control.Client, error) {
	if cfg.State.Path == "" {
		return nil, nil
	}
	c, err := control.Dial(ctx, control.SocketPath(cfg.Path(cfg.State.Path)))
	if errors.Is(err, control.ErrNoDaemon) {
		return nil, nil
	}
	return c, err
}

func newRunCmd(g *globals) *cobra.Command {
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: watch every provider, fail over by itself, run scheduled drills",
		Long: `Watches every provider on one long-lived monitor. When a provider is down or
account_lost and policy.auto_failover is on, plans and runs the failover of
every service on it, within the safeguards: policy.cooldown, at most
policy.max_auto_failovers per policy.auto_failover_window, never an
automatic failback, one operation at a time, and the hold switch
(lifeboat hold on). Every decision, acted on or held back, is journaled.

Runs the drill blocks on their schedules. While it runs it holds the
journal; status, plan, history, failover, failback, hold, drill, abort,
resume, prepare and sync --yes reach it over a Unix socket beside the
journal (owner only).

SIGINT/SIGTERM: no new operation starts; the running one stops and is
journaled, and the next start resumes it. SIGHUP: the configuration is read
again and swapped in between operations, or kept when the new one is invalid.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			log := g.logger()
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(daemon.GCPercent)
			}
			d := daemon.New(cfg, daemon.Options{
				Logger:        log,
				Load:          g.loadConfig,
				ShutdownGrace: grace,
				Ready: func(socket string) {
					fmt.Fprintf(g.stderr, "lifeboat: running (pid %d); control socket %s\n", os.Getpid(), socket)
				},
			})
			ctx := cmd.Context()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-hup:
						if err := d.Reload(ctx); err != nil {
							fmt.Fprintln(g.stderr, "lifeboat:", err)
						} else {
							fmt.Fprintln(g.stderr, "lifeboat: configuration reloaded")
						}
					}
				}
			}()
			err = d.Run(ctx)
			if err == nil && errors.Is(context.Cause(ctx), errInterrupted) {
				fmt.Fprintln(g.stderr, "lifeboat: stopped")
			}
			return err
		},
	}
	cmd.Flags().DurationVar(&grace, "shutdown-grace", daemon.DefaultShutdownGrace, "how long to wait for a running operation to stop on SIGTERM")
	return cmd
}

func newHoldCmd(g *globals) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "hold [on|off]",
		Short: "Stop (on) or allow again (off) the daemon's automatic failover; no argument shows it",
		Long: `While the hold switch is on, the running daemon takes no automatic action: it
keeps watching and journals each failover it holds back. Manual commands
still work. The switch is kept in the journal, so it survives restarts.
It needs the daemon to be running.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || len(args) == 1 && args[0] != "on" && args[0] != "off" {
				return usageError{fmt.Errorf("%s takes on or off, got %q", cmd.CommandPath(), args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := findDaemon(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if c == nil {
				return fmt.Errorf("%w: start it with `lifeboat run`; without it nothing fails over by itself, so there is nothing to hold", control.ErrNoDaemon)
			}
			var change *control.HoldChange
			if len(args) == 1 {
				change = &control.HoldChange{On: args[0] == "on", Reason: reason}
			} else if reason != "" {
				return usageError{errors.New("--reason goes with on or off")}
			}
			st, err := c.Hold(cmd.Context(), change)
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.stdout, st)
			}
			switch {
			case st.On:
				fmt.Fprintf(g.stdout, "Hold is on since %s: no automatic failover (%s).\n", st.Since.Local().Format(time.DateTime), orDash(st.Reason))
			case st.Since.IsZero():
				fmt.Fprintln(g.stdout, "Hold is off: the daemon fails over by itself when policy.auto_failover is on.")
			default:
				fmt.Fprintf(g.stdout, "Hold is off since %s: the daemon fails over by itself when policy.auto_failover is on.\n", st.Since.Local().Format(time.DateTime))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the journal (with on or off)")
	return cmd
}
