// Package healthtest serves many loopback HTTP targets from a child
// process, for the health scheduler's benchmarks and soak test: the
// targets' CPU and memory are then not counted as the prober's.
package healthtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// childEnv holds the number of targets a re-executed child serves.
const childEnv = "LIFEBOAT_HEALTHTEST_TARGETS"

// ErrTargets is returned when the child did not start serving every target.
var ErrTargets = errors.New("healthtest: target servers did not start")

// ServeIfChild makes the running binary a target server when Start
// re-executed it: it serves, and exits once its parent closes stdin. Call
// it first in main or TestMain; it returns at once in any other process.
func ServeIfChild() {
	n, _ := strconv.Atoi(os.Getenv(childEnv))
	if n <= 0 {
		return
	}
	RaiseFileLimit()
	if err := serve(n, os.Stdout); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, os.Stdin) // returns when the parent closes the pipe
	os.Exit(0)
}

// serve listens on n loopback ports, one target each, and prints every
// address on its own line.
func serve(n int, out io.Writer) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("ok"))
	})
	bw := bufio.NewWriter(out)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go http.Serve(l, h)
		fmt.Fprintln(bw, l.Addr().String())
	}
	return bw.Flush()
}

// Targets is a running child process serving HTTP targets.
type Targets struct {
	// Addrs are the targets' host:port, one per target.
	Addrs []string
	cmd   *exec.Cmd
	stdin io.Closer
}

// Start re-executes the running binary with args (for a test binary,
// flags that run no test) as a child serving n targets, each on its own
// 127.0.0.1 port, and returns once all of them listen. The file limit is
// raised first, as n targets need n connections here.
func Start(n int, args ...string) (*Targets, error) {
	RaiseFileLimit()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("healthtest: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("healthtest: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("healthtest: start target servers: %w", err)
	}
	t := &Targets{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(stdout)
	for len(t.Addrs) < n && sc.Scan() {
		line := sc.Text()
		if msg, failed := strings.CutPrefix(line, "error "); failed {
			t.Stop()
			return nil, fmt.Errorf("%w: %d of %d listening: %s", ErrTargets, len(t.Addrs), n, msg)
		}
		t.Addrs = append(t.Addrs, line)
	}
	if len(t.Addrs) < n {
		t.Stop()
		return nil, fmt.Errorf("%w: %d of %d listening", ErrTargets, len(t.Addrs), n)
	}
	return t, nil
}

// Stop ends the child and waits for it.
func (t *Targets) Stop() error {
	t.stdin.Close()
	return t.cmd.Wait()
}
