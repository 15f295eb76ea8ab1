package terraform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// ErrNoOutput means the workspace has no output of the requested name.
var ErrNoOutput = errors.New("no such output")

// stderrLines is how much of the tool's stderr an error carries.
const stderrLines = 20

// Error is a failed CLI command. Its text names the binary, the operation
// and the cause, followed by the last lines of the tool's stderr and its
// error diagnostics, with every variable value replaced by redact.Placeholder.
type Error struct {
	Binary string        // base name: "tofu" or "terraform"
	Op     string        // "init", "plan", "apply", "output", "workspace select", ...
	Took   time.Duration // how long the command ran
	// Output is the redacted tail of stderr and error diagnostics.
	Output string
	cause  error
	msg    string
}

func (e *Error) Error() string {
	s := e.Binary + " " + e.Op + ": " + e.msg
	if e.Output != "" {
		s += "\n" + e.Output
	}
	return s
}

// Unwrap returns context.DeadlineExceeded or context.Canceled when the
// command was stopped, else the *exec.ExitError or a redacted cause. The
// raw error from terraform-exec is not kept: its text embeds stderr
// unredacted.
func (e *Error) Unwrap() error { return e.cause }

func (w *Workspace) newError(ctx context.Context, op string, err error, took time.Duration, extra []string) *Error {
	e := &Error{Binary: filepath.Base(w.binary), Op: op, Took: took}
	var exit *exec.ExitError
	switch {
	// terraform-exec's error says yes to both context errors whenever
	// either ended the command: ask the context which one it was.
	case ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		e.cause = ctx.Err()
		e.msg = fmt.Sprintf("stopped after %s: %v", took.Round(time.Millisecond), e.cause)
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
		e.msg = fmt.Sprintf("stopped after %s: %v", took.Round(time.Millisecond), context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
		e.msg = fmt.Sprintf("stopped after %s: %v", took.Round(time.Millisecond), context.Canceled)
	case errors.As(err, &exit):
		e.cause = exit
		e.msg = exit.Error()
	default:
		// terraform-exec appends the whole stderr to its errors; keep the
		// first line only, since the tail is added below.
		first, _, _ := strings.Cut(err.Error(), "\n")
		e.msg = w.redact(first)
		e.cause = errors.New(e.msg)
	}
	var lines []string
	if w.stderr != nil {
		lines = lastLines(w.stderr.String(), stderrLines)
	}
	lines = append(lines, extra...)
	e.Output = w.redact(strings.Join(lines, "\n"))
	return e
}

// lastLines returns the last n non-blank lines of s.
func lastLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " \r\t"))
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// remember records variable values so later text can be redacted.
func (w *Workspace) remember(vars map[string]string) {
	w.secretsMu.Lock()
	defer w.secretsMu.Unlock()
	for _, v := range vars {
		if secretLike(v) {
			w.secrets[v] = struct{}{}
		}
	}
}

func (w *Workspace) redact(s string) string {
	w.secretsMu.Lock()
	vals := make([]string, 0, len(w.secrets))
	for v := range w.secrets {
		vals = append(vals, v)
	}
	w.secretsMu.Unlock()
	return hideValues(s, vals)
}

// hideValues replaces every value that could be a secret (secretLike) in
// s, as written and as JSON-escaped (the form it takes in JSON output).
func hideValues(s string, values []string) string {
	if s == "" || len(values) == 0 {
		return s
	}
	var secret []string
	for _, v := range values {
		if secretLike(v) {
			secret = append(secret, v)
		}
	}
	return redact.New(secret...).String(s)
}

// secretLike says whether a variable value could be a secret worth hiding:
// longer than 3 bytes, and not a boolean or a number, which would only
// blank out words such as "true" all over the tool's output.
func secretLike(v string) bool {
	if len(v) <= 3 {
		return false
	}
	if _, err := strconv.ParseBool(v); err == nil {
		return false
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return false
	}
	return true
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
