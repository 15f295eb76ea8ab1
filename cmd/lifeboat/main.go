// Command lifeboat keeps a service reachable when a hosting provider drops it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes of the CLI contract.
const (
	exitOK      = 0
	exitFailed  = 1 // an operation failed
	exitInvalid = 2 // bad usage or invalid configuration
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
	return exitFailed
}

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
