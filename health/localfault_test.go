package health

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// The classification table: a probe failing for a reason on this node is
// a local fault whatever wraps the errno; a target's own failure never is.
func TestLocalFault(t *testing.T) {
	dialErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", errno)}
	}
	cases := []struct {
		name  string
		err   error
		local bool
	}{
		{"nil", nil, false},
		{"EMFILE from socket()", dialErr(syscall.EMFILE), true},
		{"ENFILE", dialErr(syscall.ENFILE), true},
		{"ENOBUFS", dialErr(syscall.ENOBUFS), true},
		{"ENOMEM", dialErr(syscall.ENOMEM), true},
		{"EADDRNOTAVAIL: no local port", dialErr(syscall.EADDRNOTAVAIL), true},
		{"ENETUNREACH: no route from this host", dialErr(syscall.ENETUNREACH), true},
		{"wrapped twice", fmt.Errorf("get: %w", fmt.Errorf("dial: %w", dialErr(syscall.EMFILE))), true},
		{"exec: fork out of descriptors", &os.PathError{Op: "fork/exec", Path: "/bin/true", Err: syscall.EMFILE}, true},
		{"connection refused is the target's", dialErr(syscall.ECONNREFUSED), false},
		{"connection reset is the target's", dialErr(syscall.ECONNRESET), false},
		{"host unreachable is the target's", dialErr(syscall.EHOSTUNREACH), false},
		{"timeout is the target's", context.DeadlineExceeded, false},
		{"a plain error", errors.New("status 500"), false},
		{"a command not found is the configuration's", exec.ErrNotFound, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := localFault(c.err) != ""; got != c.local {
				t.Fatalf("localFault(%v) = %q, want local %v", c.err, localFault(c.err), c.local)
			}
		})
	}
}

// A probe whose prober met a local fault gives an unknown result with a
// "local fault" reason, not a failure; the target's failure stays one.
func TestProbeRunLocalFaultIsUnknown(t *testing.T) {
	for _, c := range []struct {
		err     error
		unknown bool
	}{
		{dialErrno(syscall.EMFILE), true},
		{dialErrno(syscall.ECONNREFUSED), false},
	} {
		p := &Probe{Check: "c", Timeout: time.Second, fn: func(ctx context.Context, start time.Time) outcome {
			return errOutcome(ctx, start, "connect: ", c.err)
		}}
		r := p.Run(context.Background())
		if r.OK || r.Unknown != c.unknown {
			t.Fatalf("%v: ok %v unknown %v, want unknown %v", c.err, r.OK, r.Unknown, c.unknown)
		}
		if hasPrefix := len(r.Reason) >= len(LocalFaultPrefix) && r.Reason[:len(LocalFaultPrefix)] == LocalFaultPrefix; hasPrefix != c.unknown {
			t.Fatalf("%v: reason %q", c.err, r.Reason)
		}
	}
}

func dialErrno(errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", errno)}
}

// Every reason is capped where a result is made, on a rune boundary.
func TestReasonCapped(t *testing.T) {
	long := ""
	for len(long) < 10000 {
		long += "é€x"
	}
	p := &Probe{Check: "c", Timeout: time.Second, fn: func(context.Context, time.Time) outcome {
		return outcome{reason: long, warning: long}
	}}
	r := p.Run(context.Background())
	if len(r.Reason) > MaxReason || len(r.Warning) > MaxReason {
		t.Fatalf("reason %d bytes, warning %d bytes, want at most %d", len(r.Reason), len(r.Warning), MaxReason)
	}
	if !utf8.ValidString(r.Reason) {
		t.Fatalf("reason cut inside a character: %q", r.Reason)
	}
	if short := capText("short"); short != "short" {
		t.Fatalf("a short reason changed: %q", short)
	}
}
