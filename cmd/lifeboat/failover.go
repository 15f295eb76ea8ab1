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

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// opFlags are the flags of the commands that move services.
type opFlags struct {
	service, from, to string
	yes               bool
}

func newFailoverCmd(g *globals) *cobra.Command {
	var f opFlags
	cmd := &cobra.Command{
		Use:   "failover",
		Short: "Move services off a lost provider now (the manual emergency path)",
		Long: `Plans a failover from what the checks see now, prints the plan, asks for
confirmation (unless --yes), then brings the target up with Terraform, waits
until it passes the service's checks, cuts DNS over at every DNS provider and
verifies the answer. An interrupted failover is resumed first.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOperation(cmd.Context(), g, planner.Request{Kind: planner.KindManual, Service: f.service, From: f.from, To: f.to}, f.yes)
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
			return runOperation(cmd.Context(), g, planner.Request{Kind: planner.KindFailback, Service: f.service}, f.yes)
		},
	}
	addOpFlags(cmd, &f, false)
	return cmd
}

func newResumeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "resume",
		Short: "Continue an interrupted operation from its last completed step",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			op, err := s.journal.Unfinished(cmd.Context())
			if err != nil {
				return err
			}
			if op == nil {
				fmt.Fprintln(g.stdout, "No unfinished operation.")
				return nil
			}
			return s.resume(cmd.Context(), *op)
		},
	}
}

// addOpFlags adds --service and --yes, and for failover --from and --to
// (failback always goes to each service's first candidate).
func addOpFlags(cmd *cobra.Command, f *opFlags, failover bool) {
	cmd.Flags().StringVar(&f.service, "service", "", "only this service")
	if failover {
		cmd.Flags().StringVar(&f.from, "from", "", "the provider to move away from (default: every provider seen lost)")
		cmd.Flags().StringVar(&f.to, "to", "", "the target provider (default: the planner's choice)")
	}
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
}

// session is one command's engine and journal.
type session struct {
	g       *globals
	eng     *engine.Engine
	journal journal.Journal
	start   time.Time
}

func openSession(g *globals) (*session, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	eng := engine.New(cfg, g.logger())
	j, err := eng.OpenJournal()
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &session{g: g, eng: eng, journal: j, start: time.Now()}, nil
}

func (s *session) close() {
	s.journal.Close()
	s.eng.Close()
}

func runOperation(ctx context.Context, g *globals, req planner.Request, yes bool) error {
	s, err := openSession(g)
	if err != nil {
		return err
	}
	defer s.close()

	// Finish what was started before starting anything new.
	if op, err := s.journal.Unfinished(ctx); err != nil {
		return err
	} else if op != nil {
		fmt.Fprintf(g.stderr, "Operation %s (%s, started %s) was interrupted; resuming it first.\n",
			op.ID, op.Kind, op.Started.Local().Format(time.DateTime))
		if err := s.resume(ctx, *op); err != nil {
			return err
		}
		fmt.Fprintln(g.stderr, "The interrupted operation is complete. Run the command again for anything more.")
		return nil
	}

	pl, err := s.eng.Placement(ctx, s.journal)
	if err != nil {
		return err
	}
	s.progressf("checking every provider once")
	in, err := s.eng.PlannerInput(ctx, pl, req)
	if err != nil {
		return err
	}
	plan, err := planner.Plan(in)
	if err != nil {
		return usageError{err}
	}
	if !g.json() {
		fmt.Fprintln(g.stdout, plan.Text())
	}
	if plan.Moves() == 0 {
		if g.json() {
			_ = writeJSON(g.stdout, map[string]any{"plan": plan, "executed": false})
		}
		return fmt.Errorf("nothing to do: %s", nothingReason(plan, req))
	}
	if !yes {
		if err := confirm(g); err != nil {
			return err
		}
	}
	exec, err := s.executor(in)
	if err != nil {
		return err
	}
	rep, err := exec.Start(ctx, plan, string(req.Kind))
	return s.finish(plan, rep, err)
}

// replanner re-runs the planner for one service with the excluded providers
// seen as down, so the next candidate is chosen by the same rules.
func replanner(in planner.Input) func(string, map[string]string) (planner.ServicePlan, error) {
	return func(service string, excluded map[string]string) (planner.ServicePlan, error) {
		next := in
		next.Request.Service = service
		next.Providers = make(map[string]planner.Observation, len(in.Providers))
		for k, v := range in.Providers {
			next.Providers[k] = v
		}
		for p, why := range excluded {
			next.Providers[p] = planner.Observation{State: planner.StateDown, Reason: "failed during this operation: " + why}
		}
		plan, err := planner.Plan(next)
		if err != nil {
			return planner.ServicePlan{}, err
		}
		for _, sp := range plan.Services {
			if sp.Service == service {
				return sp, nil
			}
		}
		return planner.ServicePlan{}, fmt.Errorf("the planner has nothing for service %s", service)
	}
}

func (s *session) resume(ctx context.Context, op journal.Operation) error {
	var plan planner.Result
	if err := json.Unmarshal(op.Plan, &plan); err != nil {
		return fmt.Errorf("operation %s: %w", op.ID, err)
	}
	pl, err := s.eng.Placement(ctx, s.journal)
	if err != nil {
		return err
	}
	in, err := s.eng.PlannerInput(ctx, pl, plan.Request)
	if err != nil {
		return err
	}
	exec, err := s.executor(in)
	if err != nil {
		return err
	}
	rep, err := exec.Resume(ctx, op)
	return s.finish(plan, rep, err)
}

// executor builds the executor for an operation planned from in.
func (s *session) executor(in planner.Input) (*executor.Executor, error) {
	env := s.eng.ExecutorEnv(s.journal, replanner(in), s.progress)
	env.AfterJournal = crashHook(os.Getenv("LIFEBOAT_TEST_KILL_AT"))
	return executor.New(env)
}

// crashHook lets the crash tests kill the process at an exact step boundary:
// LIFEBOAT_TEST_KILL_AT=STEP:started|finished. Unset, there is no hook.
func crashHook(at string) func(step, phase string) {
	if at == "" {
		return nil
	}
	return func(step, phase string) {
		if step+":"+phase == at {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}

// finish prints the outcome: a summary for people or one JSON document.
func (s *session) finish(plan planner.Result, rep executor.Report, err error) error {
	g := s.g
	if g.json() {
		doc := map[string]any{"plan": plan, "executed": true, "report": rep, "ok": err == nil,
			"process": map[string]float64{"cpu_seconds": selfCPU().Seconds(), "wall_seconds": time.Since(s.start).Seconds()}}
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
	fmt.Fprintln(g.stdout)
	for _, sr := range rep.Services {
		switch {
		case sr.OK:
			fmt.Fprintf(g.stdout, "%s: moved from %s to %s (%s); DNS answers %s.\n",
				sr.Service, orDashStr(sr.From), sr.To, sr.Recovery.Round(time.Millisecond), strings.Join(sr.Addresses, ", "))
			fmt.Fprintf(g.stdout, "  Time to recovery: %s.\n", sr.Recovery.Round(time.Millisecond))
			if sr.From != "" {
				fmt.Fprintf(g.stdout, "  %s was left as it is: nothing there was destroyed. Check its data before you tear it down.\n", sr.From)
			}
		default:
			fmt.Fprintf(g.stdout, "%s: NOT moved: %s\n", sr.Service, sr.Error)
		}
		for p, why := range sr.Rejected {
			fmt.Fprintf(g.stdout, "  %s was tried and rejected: %s (its infrastructure was left running)\n", p, why)
		}
		for d, why := range sr.DNSFailed {
			fmt.Fprintf(g.stdout, "  DNS provider %s was not updated: %s\n", d, why)
		}
	}
	if err != nil {
		if errors.Is(err, executor.ErrDNSPartial) {
			fmt.Fprintf(g.stdout, "Operation %s is unfinished: run `lifeboat resume` to retry the DNS providers that failed.\n", rep.Operation)
		}
		return err
	}
	fmt.Fprintf(g.stdout, "Operation %s succeeded in %s. `lifeboat history` shows its timeline.\n",
		rep.Operation, time.Since(s.start).Round(time.Millisecond))
	return nil
}

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nothingReason(plan planner.Result, req planner.Request) string {
	var parts []string
	for _, sp := range plan.Services {
		parts = append(parts, sp.Service+": "+sp.Reason)
	}
	parts = append(parts, plan.Notes...)
	switch {
	case len(parts) > 0:
		return strings.Join(parts, "; ")
	case req.From != "":
		return "no service runs on " + req.From
	}
	return "no service is affected (name the provider to leave with --from)"
}

// confirm asks on a terminal; without one it refuses, since a script must
// say --yes explicitly.
func confirm(g *globals) error {
	f, ok := g.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return usageError{errors.New("refusing to proceed without --yes: standard input is not a terminal")}
	}
	prompt := g.stdout
	if g.json() {
		prompt = g.stderr // stdout carries only the JSON document
	}
	fmt.Fprint(prompt, "Proceed with this failover? Only 'yes' is accepted: ")
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("cancelled: nothing was changed")
	}
	return nil
}

// isTerminal asks the kernel for terminal attributes: /dev/null is a
// character device too, but not a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progress prints one executor event as it happens.
func (s *session) progress(ev executor.Event) {
	g := s.g
	w := g.stdout
	if g.json() {
		// JSON mode keeps stdout for the one final document.
		w = g.stderr
	}
	offset := ev.Time.Sub(s.start).Seconds()
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

func (s *session) progressf(format string, args ...any) {
	s.progress(executor.Event{Time: time.Now(), Phase: "info", Message: fmt.Sprintf(format, args...)})
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
