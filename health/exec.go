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

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func compileExec(c *config.ExecCheck) probeFunc {
	argv := append([]string(nil), c.Command...)
	var env []string
	if len(c.Env) > 0 {
		env = os.Environ()
		for k, v := range c.Env {
			env = append(env, k+"="+v)
		}
	}
	return func(ctx context.Context, start time.Time) outcome {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		// A child that keeps our pipes open must not hold the probe past its timeout.
		cmd.WaitDelay = 500 * time.Millisecond
		err := cmd.Run()
		if err == nil {
			return outcome{ok: true, reason: "exit 0"}
		}
		if ctx.Err() != nil {
			return outcome{reason: "no exit within " + timeoutOf(ctx, start).String()}
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return outcome{reason: fmt.Sprintf("%s%s", ee.ProcessState, lastLine(out.String()))}
		}
		return outcome{reason: "cannot run: " + err.Error()}
	}
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
