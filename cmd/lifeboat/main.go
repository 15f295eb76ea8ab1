// Command lifeboat keeps a service reachable when a hosting provider drops it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=..."
// (make build, make release); version.go falls back to the module version.
var version = "dev"

func main() {
	ctx, stop := interruptContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, with the
// signal as its cause, so the work in flight stops cleanly and is
// journaled as interrupted. The handler is then removed: a second Ctrl-C
// kills the process at once, as an operator in a hurry expects.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			name := signalName(sig)
			fmt.Fprint(os.Stderr, interruptMessage(name, inFlight.get()))
			cancel(fmt.Errorf("%w by %s", errInterrupted, name))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// interruptMessage is what the first signal prints: the step it stops,
// when one is running in this process, and only then.
func interruptMessage(signal, step string) string {
	what := "stopping"
	if step != "" {
		what = "stopping step " + step + ", in flight"
	}
	return fmt.Sprintf("\nlifeboat: %s received: %s (send it again to exit at once)\n", signal, what)
}

// inFlight is the step this process runs now, as its progress reports
// it; empty between steps, and in commands that run none.
var inFlight stepInFlight

type stepInFlight struct {
	mu   sync.Mutex
	step string
}

func (s *stepInFlight) set(step string) {
	s.mu.Lock()
	s.step = step
	s.mu.Unlock()
}

func (s *stepInFlight) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.step
}

// errInterrupted is the cause of a context cancelled by a signal.
var errInterrupted = errors.New("interrupted")

// Exit codes of the CLI contract.
const (
	exitOK      = 0
	exitFailed  = 1 // an operation failed
	exitInvalid = 2 // bad usage or invalid configuration
	exitDown    = 3 // status --exit-code: a provider is down or account_lost
)

// usageError marks errors that are the caller's: bad flags, invalid configuration.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to the CLI's exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitInvalid
	}
	var ce codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitFailed
}

// codeError is a result the command already printed, with an exit code
// of its own (status --exit-code); run prints only its one-line summary.
type codeError struct {
	code int
	err  error
}

func (e codeError) Error() string { return e.err.Error() }
func (e codeError) Unwrap() error { return e.err }

// silentError carries an exit status for an error the command already
// reported (as a JSON document, say); run prints nothing more.
type silentError struct{ err error }

func (e silentError) Error() string { return e.err.Error() }
func (e silentError) Unwrap() error { return e.err }

func printErr(g *globals, err error) {
	var se silentError
	if errors.As(err, &se) {
		return
	}
	fmt.Fprintln(g.stderr, "lifeboat:", err)
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// withCause names the signal that stopped a command, instead of the bare
// "context canceled" or "context deadline exceeded" of whatever was waiting.
func withCause(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if err == nil || cause == nil || !errors.Is(cause, errInterrupted) || errors.Is(err, errInterrupted) {
		return err
	}
	return fmt.Errorf("%w: %w", cause, err)
}
