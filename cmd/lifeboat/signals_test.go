package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal to test the prompt on: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// Ctrl-C at the confirmation prompt cancels at once; it does not wait for
// Enter.
func TestConfirmPromptCancelledBySignal(t *testing.T) {
	_, tty := openPTY(t)
	var out strings.Builder
	g := &globals{stdin: tty, stdout: &out, stderr: &out, output: "text"}
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(fmt.Errorf("%w by SIGINT", errInterrupted)) })
	done := make(chan error, 1)
	go func() { done <- confirm(ctx, g) }()
	select {
	case err := <-done:
		if !errors.Is(err, engine.ErrCancelled) || !strings.Contains(err.Error(), "SIGINT") {
			t.Fatalf("confirm returned %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the prompt still waits for Enter after the interrupt")
	}
	if !strings.Contains(out.String(), "Proceed with this failover?") {
		t.Fatalf("no prompt: %q", out.String())
	}
}

// The answer typed on the terminal is read: "yes" proceeds, anything else
// cancels.
func TestConfirmPromptAnswers(t *testing.T) {
	for answer, want := range map[string]error{"yes\n": nil, "y\n": engine.ErrCancelled, "no\n": engine.ErrCancelled} {
		master, tty := openPTY(t)
		var out strings.Builder
		g := &globals{stdin: tty, stdout: &out, stderr: &out, output: "text"}
		if _, err := master.WriteString(answer); err != nil {
			t.Fatal(err)
		}
		if err := confirm(context.Background(), g); !errors.Is(err, want) {
			t.Fatalf("answer %q: %v, want %v", answer, err, want)
		}
	}
}

// startFailover runs `lifeboat failover` in the background and returns once
// its output shows the wait-healthy step running.
func startFailover(t *testing.T, w *world) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(w.bin, "-c", w.cfg, "failover", "--from", "alpha", "--yes")
	cmd.Env = w.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Written by the command's and the scanner's goroutines while the test
	// reads them.
	var out, errb syncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waiting := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			_, _ = out.Write([]byte(sc.Text() + "\n"))
			if !signalled && strings.Contains(sc.Text(), "wait-healthy") && strings.Contains(sc.Text(), "started") {
				signalled = true
				close(waiting)
			}
		}
	}()
	select {
	case <-waiting:
	case <-time.After(60 * time.Second):
		t.Fatalf("the failover never reached wait-healthy:\n%s%s", out.String(), errb.String())
	}
	return cmd, &out, &errb
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("lifeboat did not exit within %s", within)
		return nil
	}
}

// SIGTERM stops a failover cleanly: the error names the signal (not a bare
// "context canceled"), and the operation stays unfinished for resume.
func TestFailoverStoppedBySIGTERM(t *testing.T) {
	w := newWorld(t, worldOptions{waitHealthy: "60s"})
	rewriteBravoPort(t, w, freePortOnBoth(t, w.alphaIP, w.bravoIP))
	w.startAlpha()
	w.cutOffAlpha()
	cmd, out, errb := startFailover(t, w)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := waitExit(t, cmd, 20*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%s%s", err, out, errb)
	}
	if !strings.Contains(errb.String(), "interrupted by SIGTERM") || strings.Contains(errb.String(), "deadline exceeded") {
		t.Fatalf("the error does not name the signal:\n%s", errb)
	}
	if !strings.Contains(errb.String(), "SIGTERM received: stopping step www/bravo/wait-healthy, in flight") {
		t.Fatalf("the notice does not name the step in flight:\n%s", errb)
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Status.Terminal() {
		t.Fatalf("want one unfinished operation, got %+v", ops)
	}
	// The step the signal stopped is journaled interrupted, not failed.
	if st := ops[0].Steps[len(ops[0].Steps)-1]; st.Status != journal.StepInterrupted {
		t.Fatalf("the stopped step %s is journaled %s, want interrupted", st.ID, st.Status)
	}
}

// A second Ctrl-C exits at once, even while the first one's clean stop
// waits on something slow (here, a webhook that never answers).
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	hang := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { <-hang }))
	defer hook.Close()
	defer close(hang)
	w := newWorld(t, worldOptions{waitHealthy: "60s", webhook: true})
	w.extraEnv = []string{"E2E_WEBHOOK=" + hook.URL + "/hook"}
	rewriteBravoPort(t, w, freePortOnBoth(t, w.alphaIP, w.bravoIP))
	w.startAlpha()
	w.cutOffAlpha()
	cmd, out, errb := startFailover(t, w)
	_ = cmd.Process.Signal(os.Interrupt)
	// The failure notification now hangs on the webhook for up to 15 s.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errb.String(), "SIGINT received") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	began := time.Now()
	_ = cmd.Process.Signal(os.Interrupt)
	err := waitExit(t, cmd, 5*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("exit %v\n%s%s", err, out, errb)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("want death by the second SIGINT, got %v after %s\n%s%s", err, time.Since(began), out, errb)
	}
}
