package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/childproc"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// execWaitDelay bounds how long a probe waits, once its command exited or
// was killed, for a process still holding the output pipe.
const execWaitDelay = 500 * time.Millisecond

// compileExec prepares a command run from dir (the configuration's
// directory): a relative path with a slash (./check.sh) is resolved there,
// a bare name is looked up in PATH. The check's env values are secrets:
// each one of 4 bytes or more is hidden from the output quoted in the
// reason (a shorter one would mangle ordinary words).
func compileExec(c *config.ExecCheck, dir string, guard func(string) string) probeFunc {
	argv, dir := childproc.Resolve(c.Command, dir)
	env, values := childproc.Env(os.Environ(), c.PassEnv, c.Env)
	hide := redact.New(values...)
	// Scrub the whole output before it is cut to one line: a cut secret
	// would no longer be recognised.
	scrub := func(s string) string { return guard(hide.String(s)) }
	return func(ctx context.Context, start time.Time) outcome {
		return runExec(ctx, start, argv, env, dir, scrub)
	}
}

func runExec(ctx context.Context, start time.Time, argv, env []string, dir string, scrub func(string) string) outcome {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, killed whole on timeout: a script's children
	// (a curl, a sleep) must not outlive the probe.
	// A process that escaped the group and keeps our pipes open must not
	// hold the probe past its timeout either.
	childproc.Group(cmd, execWaitDelay)
	err := cmd.Run()
	if err == nil {
		return outcome{ok: true, reason: "exit 0"}
	}
	if ctx.Err() != nil {
		return outcome{reason: "no exit within " + timeoutOf(ctx, start).String()}
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return outcome{reason: fmt.Sprintf("%s%s", ee.ProcessState, lastLine(scrub(out.String())))}
	case errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState.Success():
		// Exited 0, but a background child kept the output open.
		return outcome{ok: true, reason: "exit 0"}
	}
	// err kept: a fork failing for want of descriptors is a local fault.
	return outcome{reason: "cannot run: " + scrub(err.Error()), err: err}
}

// lastLine is the command's last line of output, as a hint.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return ""
	}
	return ": " + s
}
