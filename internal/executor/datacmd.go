package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/childproc"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
	"github.com/lifeboat-dev/lifeboat/planner"
)

const (
	// cmdWaitDelay bounds the wait, once the command exited or was
	// killed, for a process of its own still holding the output pipes.
	cmdWaitDelay = 500 * time.Millisecond
	// cmdOutputMax is how much of each output stream is kept.
	cmdOutputMax = 64 << 10
	// cmdLineMax is how much of a line of output reaches a message.
	cmdLineMax = 200
)

// runDataCommand runs a fence or promote command under ctx (which bounds
// it), from the configuration's directory, with the environment exec
// checks get (config.BaseEnv, the block's pass_env and env) plus
// LIFEBOAT_SERVICE, LIFEBOAT_DATA and LIFEBOAT_PROVIDER. A non-zero exit
// is an error quoting the first line of its standard error. On success it
// returns ": " and the first line of standard output, or "". The block's
// env values are secrets: hidden from what it returns.
func (e *Executor) runDataCommand(ctx context.Context, st planner.Step, a *config.DataAction) (string, error) {
	argv, dir := childproc.Resolve(a.Command, e.env.Dir)
	env, values := childproc.Env(os.Environ(), a.PassEnv, a.Env)
	env = append(env, "LIFEBOAT_SERVICE="+st.Service, "LIFEBOAT_DATA="+st.Data, "LIFEBOAT_PROVIDER="+st.Provider)
	hide := redact.New(values...)
	scrub := func(s string) string { return e.env.Redact(hide.String(s)) }

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	stdout, stderr := &childproc.Capped{Max: cmdOutputMax}, &childproc.Capped{Max: cmdOutputMax}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Its own process group, killed whole when ctx ends: a script's
	// children must not outlive the step.
	childproc.Group(cmd, cmdWaitDelay)
	started := time.Now()
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case childproc.Succeeded(cmd, err):
		if line := firstLine(scrub(stdout.String())); line != "" {
			return ": " + line, nil
		}
		return "", nil
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s: no exit within %s: %w", filepath.Base(argv[0]), time.Since(started).Round(time.Millisecond), ctx.Err())
	case errors.As(err, &ee):
		msg := fmt.Sprintf("%s: %s", filepath.Base(argv[0]), ee.ProcessState)
		if line := firstLine(scrub(stderr.String())); line != "" {
			msg += ": " + line
		}
		return "", errors.New(msg)
	}
	return "", fmt.Errorf("%s: cannot run: %s", filepath.Base(argv[0]), scrub(err.Error()))
}

// firstLine is the first non-empty line of s, cut to cmdLineMax bytes.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) > cmdLineMax {
			line = line[:cmdLineMax] + "…"
		}
		return line
	}
	return ""
}
