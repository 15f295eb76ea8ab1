package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

const fakeDaemonEnv = "LIFEBOAT_CONTROL_FAKE_DAEMON"

// TestFakeDaemonHelper is not a test: run as another user by
// TestConfirmationOnlyToOwnDaemon, it listens at the socket in $fakeDaemonEnv,
// asks the one client for a confirmation and writes what came back beside
// the socket.
func TestFakeDaemonHelper(t *testing.T) {
	path := os.Getenv(fakeDaemonEnv)
	if path == "" {
		return
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".ready", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = l.(*net.UnixListener).SetDeadline(time.Now().Add(20 * time.Second))
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	sc := bufio.NewScanner(conn)
	if !sc.Scan() {
		t.Fatal("no request")
	}
	if err := json.NewEncoder(conn).Encode(Message{Confirm: &planner.Result{Notes: []string{"move www"}}}); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(conn) // until the client closes
	if err := os.WriteFile(path+".answers", rest, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The CLI confirms an operation only to a daemon of its own user or root:
// a process of another user on the socket's path is refused before the
// operator's yes is sent.
func TestConfirmationOnlyToOwnDaemon(t *testing.T) {
	if os.Getuid() != 0 {
		testharness.Require(t, "root", "run the tests as root, to start a fake daemon as another user")
	}
	const nobody = 65534
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	// The helper runs as nobody: give it a copy of this test binary it
	// can read.
	self, err := os.ReadFile(must(os.Executable()))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "control.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lifeboat.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestFakeDaemonHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), fakeDaemonEnv+"="+path)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path + ".ready"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fake daemon did not listen:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	c := &Client{path: path}
	asked := false
	_, err = c.Run(ctx, wire.Request{Service: "www"}, engine.Hooks{Confirm: func(context.Context, planner.Result) error {
		asked = true
		return nil
	}})
	if !errors.Is(err, ErrUntrustedDaemon) || !strings.Contains(err.Error(), "uid 65534") {
		t.Fatalf("got %v, want ErrUntrustedDaemon naming uid 65534", err)
	}
	if asked {
		t.Error("the operator was asked to confirm a plan from another user's process")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the fake daemon: %v\n%s", err, out.String())
	}
	answers, err := os.ReadFile(path + ".answers")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(answers), `"confirm":true`) {
		t.Fatalf("the confirmation reached the other user's process: %s", answers)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
