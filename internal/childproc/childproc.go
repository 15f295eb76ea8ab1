// Package childproc runs the commands lifeboat starts on a user's behalf
// (exec checks and freshness sources, fence and promote commands,
// pg_restore) the one way: in a process group of their own, killed whole
// when their context ends, with their output kept to a bound.
package childproc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Group makes cmd run in its own process group, killed whole (SIGKILL)
// when its context ends: a script's children (a curl, a sleep) must not
// outlive it. waitDelay bounds the wait for output pipes that a child
// which escaped the group keeps open.
func Group(cmd *exec.Cmd, waitDelay time.Duration) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			return os.ErrProcessDone
		}
		return err
	}
	cmd.WaitDelay = waitDelay
}

// Succeeded reports whether cmd.Run's err means the command exited 0,
// counting an exit 0 whose output a background child kept open.
func Succeeded(cmd *exec.Cmd, err error) bool {
	return err == nil || errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success()
}

// Capped keeps the first Max bytes written to it and counts the rest as
// Over; writes never fail, so a chatty child is never blocked or killed
// by its pipe.
type Capped struct {
	Max  int
	buf  []byte
	over bool
}

func (c *Capped) Write(p []byte) (int, error) {
	room := c.Max - len(c.buf)
	if room < len(p) {
		c.over = true
	}
	c.buf = append(c.buf, p[:min(max(room, 0), len(p))]...)
	return len(p), nil
}

// String is what was kept.
func (c *Capped) String() string { return string(c.buf) }

// Over reports whether more than Max bytes were written.
func (c *Capped) Over() bool { return c.over }

// Resolve returns a copy of command whose relative path ("./check.sh")
// is made absolute against dir, the configuration's directory, and dir
// made absolute: os/exec would resolve the path against the command's
// working directory instead. A bare name is left for PATH.
func Resolve(command []string, dir string) (argv []string, absDir string) {
	argv = slices.Clone(command)
	if abs, err := filepath.Abs(dir); dir != "" && err == nil {
		dir = abs
	}
	if len(argv) > 0 && dir != "" && strings.ContainsRune(argv[0], '/') && !filepath.IsAbs(argv[0]) {
		argv[0] = filepath.Join(dir, argv[0])
	}
	return argv, dir
}

// Env is a user's command's environment: never lifeboat's whole one (its
// tokens, DNS credentials), only config.BaseEnv and the names passEnv
// lists from environ, then the command's own env. The own values are
// returned too: secrets, to hide from what the command prints.
func Env(environ, passEnv []string, own map[string]string) (env, secrets []string) {
	env = config.ChildEnv(environ, config.BaseEnv, passEnv)
	secrets = make([]string, 0, len(own))
	for k, v := range own {
		env = append(env, k+"="+v)
		secrets = append(secrets, v)
	}
	return env, secrets
}
