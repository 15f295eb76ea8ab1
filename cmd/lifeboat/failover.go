package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// opFlags are the flags of the commands that move services.
type opFlags struct {
	service, from, to string
	yes               bool
	// acceptDataLoss lets a target whose data is older than the RPO, or of
	// unknown age, take the service.
	acceptDataLoss bool
}

func newFailoverCmd(g *globals) *cobra.Command {
	var f opFlags
	cmd := &cobra.Command{
		Use:   "failover",
		Short: "Move services off a lost provider now (the manual emergency path)",
		Long: `Finishes any interrupted operation of the services concerned, checks every
provider (confirming a failing one over more rounds), plans, prints the plan,
asks for confirmation (unless --yes), then brings the target up with
Terraform, waits until it passes the service's checks, cuts DNS over at every
DNS provider and verifies the answer. Run twice, the second run says the job
is already done and changes nothing.

--service only narrows which services are considered; --from names a
provider to leave even if it still answers; --to names the target.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOperation(cmd.Context(), g, wire.Request{Kind: wire.KindManual, Service: f.service, From: f.from, To: f.to, AcceptDataLoss: f.acceptDataLoss}, f.yes)
		},
	}
	addOpFlags(cmd, &f, true)
	return cmd
}

func newFailbackCmd(g *globals) *cobra.Command {
	var f opFlags
	cmd := &cobra.Command{
		Use:   "failback",
		Short: "Move services back to their preferred provider (never automatic)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOperation(cmd.Context(), g, wire.Request{Kind: wire.KindFailback, Service: f.service, AcceptDataLoss: f.acceptDataLoss}, f.yes)
		},
	}
	addOpFlags(cmd, &f, false)
	return cmd
}

func newResumeCmd(g *globals) *cobra.Command {
	var drop []string
	cmd := &cobra.Command{
		Use:   "resume",
		Short: "Continue an interrupted operation from its last completed step",
		Long: `Continues the unfinished operation from its last completed step. A DNS
provider that cannot be updated (gone for good, wrong credentials) keeps the
operation unfinished; --drop-dns NAME gives up on it for this operation (the
choice is journaled) so the rest can finish. With a daemon running, the
daemon (the leader) resumes it now, with the progress shown here.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			var reps []wire.OperationReport
			c, err := findDaemon(cmd.Context(), s.eng.Cfg)
			switch {
			case err != nil:
				return err
			case c != nil:
				// The daemon holds the journal: it resumes now, and its
				// progress comes back here.
				fmt.Fprintln(g.stderr, "lifeboat: a daemon is running; the operation is resumed in it")
				var out wire.Outcome
				out, err = c.Resume(cmd.Context(), drop, s.hooks())
				reps = out.Resumed
			default:
				reps, err = s.eng.Resume(cmd.Context(), drop, s.hooks())
			}
			if errors.Is(err, engine.ErrNoOperation) {
				fmt.Fprintln(g.stdout, "No unfinished operation.")
				return nil
			}
			if errors.Is(err, engine.ErrInvalidRequest) {
				return usageError{err}
			}
			return s.finish(wire.Outcome{Resumed: reps, Executed: len(reps) > 0}, err)
		},
	}
	cmd.Flags().StringSliceVar(&drop, "drop-dns", nil, "give up on these DNS providers for the unfinished operation (repeat or separate with commas)")
	return cmd
}

func newAbortCmd(g *globals) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "abort [ID]",
		Short: "End the unfinished operation where it stands, without running more steps",
		Long: `Ends the unfinished operation (the one named, or the only one) as aborted,
with the reason in the journal. Nothing is undone: placement stays as the
operation left it (it changes only once DNS was cut over), and any
infrastructure it brought up keeps running. Later operations no longer
resume it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("%s takes at most one operation ID, got %q", cmd.CommandPath(), args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			c, err := findDaemon(cmd.Context(), s.eng.Cfg)
			if err != nil {
				return err
			}
			if c != nil {
				var res map[string]any
				if err := c.Call(cmd.Context(), control.Request{Op: control.OpAbort, Name: id, Reason: reason}, engine.Hooks{}, &res); err != nil {
					return err
				}
				if g.json() {
					return writeJSON(g.stdout, res)
				}
				fmt.Fprintf(g.stdout, "Operation %v aborted: %v\n", res["aborted"], res["reason"])
				return nil
			}
			op, err := s.eng.Abort(cmd.Context(), id, reason)
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.stdout, map[string]any{"aborted": op.ID, "status": op.Status, "reason": op.Summary})
			}
			fmt.Fprintf(g.stdout, "Operation %s aborted: %s\n", op.ID, op.Summary)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the journal (default: aborted by an operator)")
	return cmd
}

// addOpFlags adds --service and --yes, and for failover --from and --to
// (failback always goes to each service's first candidate).
func addOpFlags(cmd *cobra.Command, f *opFlags, failover bool) {
	cmd.Flags().StringVar(&f.service, "service", "", "only consider this service (it names no provider to leave)")
	if failover {
		cmd.Flags().StringVar(&f.from, "from", "", "the provider to move away from, even if it still answers (default: every provider seen lost)")
		cmd.Flags().StringVar(&f.to, "to", "", "the target provider (default: the planner's choice)")
	}
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&f.acceptDataLoss, "accept-data-loss", false, "let a target whose data is older than the service's rpo (or of unknown age) take it; the plan, the journal and the summary name the age accepted")
}

// session is one command's engine.
type session struct {
	g     *globals
	eng   *engine.Engine
	start time.Time
}

func openSession(g *globals) (*session, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	return &session{g: g, eng: engine.New(cfg, g.logger()), start: time.Now()}, nil
}

func (s *session) close() { _ = s.eng.Close() }

func (s *session) hooks() engine.Hooks { return engine.Hooks{Progress: s.progress} }

func runOperation(ctx context.Context, g *globals, req wire.Request, yes bool) error {
	s, err := openSession(g)
	if err != nil {
		return err
	}
	defer s.close()
	hooks := s.hooks()
	hooks.Confirm = func(ctx context.Context, plan wire.Plan) error {
		if !g.json() {
			fmt.Fprintln(g.stdout, plan.Text())
		}
		if yes {
			return nil
		}
		return confirm(ctx, g)
	}
	var out wire.Outcome
	c, err := findDaemon(ctx, s.eng.Cfg)
	switch {
	case err != nil:
		return err
	case c != nil:
		// The daemon holds the journal: the same engine runs the
		// operation there, and its progress comes back here.
		fmt.Fprintln(g.stderr, "lifeboat: a daemon is running; the operation runs in it")
		out, err = c.Run(ctx, req, hooks)
	default:
		out, err = s.eng.Run(ctx, req, hooks)
	}
	if errors.Is(err, engine.ErrInvalidRequest) {
		return usageError{err}
	}
	return s.finish(out, err)
}

// finish prints the outcome: a summary for people or one JSON document.
func (s *session) finish(out wire.Outcome, err error) error {
	g := s.g
	if g.json() {
		doc := map[string]any{"plan": out.Plan, "executed": out.Executed, "settled": out.Settled, "ok": err == nil,
			"process": map[string]float64{"cpu_seconds": selfCPU().Seconds(), "wall_seconds": time.Since(s.start).Seconds()}}
		if out.Report != nil {
			doc["report"] = out.Report
		}
		if len(out.Resumed) > 0 {
			doc["resumed"] = out.Resumed
		}
		if out.Message != "" {
			doc["message"] = out.Message
		}
		if len(out.Evidence) > 0 {
			doc["evidence"] = out.Evidence
		}
		if err != nil {
			doc["error"] = err.Error()
		}
		if werr := writeJSON(g.stdout, doc); werr != nil {
			return werr
		}
		if err != nil {
			return silentError{err}
		}
		return nil
	}
	for _, rep := range out.Resumed {
		s.printReport(rep)
	}
	if out.Settled {
		if out.AlreadyDone || len(out.Resumed) > 0 {
			fmt.Fprintf(g.stdout, "Already done: %s. Nothing was changed.\n", out.Message)
		} else {
			fmt.Fprintf(g.stdout, "Nothing to do: %s.\n", out.Message)
		}
		return err
	}
	if out.Report != nil {
		s.printReport(*out.Report)
	}
	if err != nil {
		return err
	}
	if out.Report != nil {
		fmt.Fprintf(g.stdout, "Operation %s succeeded in %s. `lifeboat history` shows its timeline.\n",
			out.Report.Operation, time.Since(s.start).Round(time.Millisecond))
	}
	return nil
}

func (s *session) printReport(rep wire.OperationReport) {
	w := s.g.stdout
	fmt.Fprintln(w)
	for _, sr := range rep.Services {
		switch {
		case sr.OK:
			fmt.Fprintf(w, "%s: moved from %s to %s (%s); DNS answers %s.\n",
				sr.Service, orDash(sr.From), sr.To, sr.Recovery.Round(time.Millisecond), strings.Join(sr.Addresses, ", "))
			fmt.Fprintf(w, "  Time to recovery: %s.\n", sr.Recovery.Round(time.Millisecond))
			if sr.AcceptedDataLoss != "" {
				fmt.Fprintf(w, "  Data loss accepted (--accept-data-loss): %s.\n", sr.AcceptedDataLoss)
			}
			if sr.From != "" {
				fmt.Fprintf(w, "  %s was left as it is: nothing there was destroyed. Check its data before you tear it down.\n", sr.From)
			}
		default:
			fmt.Fprintf(w, "%s: NOT moved: %s\n", sr.Service, sr.Error)
		}
		for p, why := range sr.Rejected {
			fmt.Fprintf(w, "  %s was tried and rejected: %s (its infrastructure was left running)\n", p, why)
		}
		for d, why := range sr.DNSFailed {
			fmt.Fprintf(w, "  DNS provider %s was not updated: %s\n", d, why)
		}
	}
	for _, zr := range rep.Zones {
		if zr.OK {
			fmt.Fprintf(w, "zone %s: delegated to %s at registrar %s.\n", zr.Zone, strings.Join(zr.NS, ", "), zr.Registrar)
		} else {
			fmt.Fprintf(w, "zone %s: NOT re-delegated at registrar %s: %s\n", zr.Zone, zr.Registrar, zr.Error)
		}
	}
}

// confirm asks on a terminal; without one it refuses, since a script must
// say --yes explicitly. An interrupt while it waits cancels at once.
func confirm(ctx context.Context, g *globals) error {
	f, ok := g.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return usageError{errors.New("refusing to proceed without --yes: standard input is not a terminal")}
	}
	prompt := g.stdout
	if g.json() {
		prompt = g.stderr // stdout carries only the JSON document
	}
	fmt.Fprint(prompt, "Proceed with this failover? Only 'yes' is accepted: ")
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(f).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(prompt)
		return fmt.Errorf("%w (%w)", engine.ErrCancelled, context.Cause(ctx))
	case line := <-answer:
		if strings.TrimSpace(line) != "yes" {
			return engine.ErrCancelled
		}
	}
	return nil
}

// isTerminal asks the kernel for terminal attributes: /dev/null is a
// character device too, but not a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progress prints one event as it happens.
func (s *session) progress(ev wire.Event) {
	g := s.g
	w := g.stdout
	if g.json() || ev.Step == "" {
		// JSON mode keeps stdout for the one final document; notes that
		// belong to no step (resuming, confirming a loss) are the
		// operator's, on stderr.
		w = g.stderr
	}
	offset := ev.Time.Sub(s.start).Seconds()
	switch ev.Phase {
	case "start":
		inFlight.set(ev.Step)
	case "done", "failed", "skipped":
		inFlight.set("")
	}
	switch ev.Phase {
	case "start":
		fmt.Fprintf(w, "[%6.1fs] %-28s started   %s\n", offset, ev.Step, ev.Message)
	case "done":
		fmt.Fprintf(w, "[%6.1fs] %-28s done      %s (%s)\n", offset, ev.Step, ev.Message, ev.Elapsed.Round(time.Millisecond))
	case "failed":
		fmt.Fprintf(w, "[%6.1fs] %-28s FAILED    %s (%s)\n", offset, ev.Step, ev.Message, ev.Elapsed.Round(time.Millisecond))
	case "skipped":
		fmt.Fprintf(w, "[%6.1fs] %-28s skipped   %s\n", offset, ev.Step, ev.Message)
	default:
		fmt.Fprintf(w, "[%6.1fs] %-28s   %s\n", offset, ev.Step, ev.Message)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// selfCPU is the CPU time this process used itself, without Terraform and
// other children: lifeboat's own share of an operation.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
