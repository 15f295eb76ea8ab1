package health

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// LocalFaultPrefix starts the reason of every result whose probe failed
// for a reason on this node, not at the target.
const LocalFaultPrefix = "local fault: "

// localFaults are the errors that say this node, not the target, is
// unwell: out of descriptors, buffers, memory or local ports, or with no
// route to anywhere. A probe failing so saw nothing of the target.
var localFaults = []struct {
	err  syscall.Errno
	text string
}{
	{syscall.EMFILE, "this process has too many open files"},
	{syscall.ENFILE, "this host has too many open files"},
	{syscall.ENOBUFS, "this host is out of socket buffers"},
	{syscall.ENOMEM, "this host is out of memory"},
	{syscall.EADDRNOTAVAIL, "this host has no local address or port free"},
	{syscall.ENETUNREACH, "this host has no route to the network"},
}

// localFault says why err is a fault of this node, or "" when it is not
// one: the target may be to blame.
func localFault(err error) string {
	if err == nil {
		return ""
	}
	for _, f := range localFaults {
		if errors.Is(err, f.err) {
			return f.text
		}
	}
	return ""
}

// errOutcome is a failed probe's outcome: prefix and err in words, and
// err itself so that Probe.Run can tell a local fault from a failure.
func errOutcome(ctx context.Context, start time.Time, prefix string, err error) outcome {
	return outcome{reason: prefix + describeErr(err, timeoutOf(ctx, start)), err: err}
}
