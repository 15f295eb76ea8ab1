package datafresh

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/childproc"
)

// maxStdout bounds what is kept of an exec source's output: it prints one
// time or age.
const maxStdout = 4 << 10

// maxStderr bounds what is kept of its error output, of which the first
// line is quoted.
const maxStderr = 4 << 10

// execWaitDelay bounds how long a measurement waits, once the command
// exited or was killed, for a child still holding its output pipes.
const execWaitDelay = 500 * time.Millisecond

// Exec measures freshness by running a command that prints an RFC 3339
// time, a Go duration ("42s") or seconds ("42", "42.5").
type Exec struct {
	// Command is argv; Command[0] is run as given (Round resolves a
	// relative path against the configuration's directory).
	Command []string
	// Dir is the working directory; "" is lifeboat's.
	Dir string
	// Env is the whole environment of the command (Round builds it: the
	// base variables, pass_env, env and LIFEBOAT_*).
	Env []string
	// Now is the clock an RFC 3339 time is taken against; nil is time.Now.
	Now func() time.Time
}

// Measure runs the command once under ctx, which must carry a deadline;
// the command and its children are killed when it expires. A non-zero
// exit fails with the first line of its error output. Err is not
// redacted: Round redacts it.
func (e Exec) Measure(ctx context.Context) Measurement {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	m := Measurement{At: now()}
	if _, ok := ctx.Deadline(); !ok {
		m.Err = ErrNoDeadline
		return m
	}
	if len(e.Command) == 0 {
		m.Err = errors.New("datafresh: exec: no command")
		return m
	}
	cmd := exec.CommandContext(ctx, e.Command[0], e.Command[1:]...)
	cmd.Env = e.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // never lifeboat's own environment
	}
	cmd.Dir = e.Dir
	stdout, stderr := &childproc.Capped{Max: maxStdout}, &childproc.Capped{Max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Its own process group, killed whole: a script's children (a curl, a
	// sleep) must not outlive the measurement.
	childproc.Group(cmd, execWaitDelay)
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case childproc.Succeeded(cmd, err):
	case ctx.Err() != nil:
		m.Err = fmt.Errorf("datafresh: exec: no exit in time: %w", ctx.Err())
		return m
	case errors.As(err, &ee):
		m.Err = fmt.Errorf("datafresh: exec: %s%s", ee.ProcessState, firstLine(stderr.String()))
		return m
	default:
		m.Err = fmt.Errorf("datafresh: exec: cannot run: %w", err)
		return m
	}
	if stdout.Over() {
		m.Err = fmt.Errorf("%w: output over %d KiB", ErrBadValue, maxStdout>>10)
		return m
	}
	m.Age, m.Err = parseAge(stdout.String(), now())
	return m
}

// firstLine is ": " and the first non-empty line of s, bounded, or "".
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" {
		return ""
	}
	return ": " + clip(s, 200)
}
