package journal_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/journal/journaltest"
	"go.etcd.io/bbolt"
)

// The crash and lock tests re-run this test binary as a second process; the
// environment variable says which part it plays.
const (
	envRole = "LIFEBOAT_JOURNAL_TEST_ROLE"
	envPath = "LIFEBOAT_JOURNAL_TEST_PATH"
)

func TestMain(m *testing.M) {
	switch role := os.Getenv(envRole); role {
	case "":
		code := m.Run()
		stopSharedEtcd()
		os.Exit(code)
	case "crash-after-step":
		childCrashAfterStep(os.Getenv(envPath))
	case "write-until-killed":
		childWriteUntilKilled(os.Getenv(envPath))
	case "open-locked":
		childOpenLocked(os.Getenv(envPath), false)
	case "open-locked-readonly":
		childOpenLocked(os.Getenv(envPath), true)
	default:
		fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
		os.Exit(2)
	}
}

var t0 = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

// A small bound on the event log keeps the bound cases quick: every
// append is an fsync.
const testRecordsPerKind = 5

func TestBoltConformance(t *testing.T) {
	journaltest.RunWith(t, journaltest.Options{RecordsPerKind: testRecordsPerKind}, func(t *testing.T) func() (journal.Journal, error) {
		path := filepath.Join(t.TempDir(), "state", "lifeboat.db")
		return func() (journal.Journal, error) {
			return journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 200 * time.Millisecond, MaxRecordsPerKind: testRecordsPerKind})
		}
	})
}

// child runs this binary in role with the journal path, and returns the
// command (started) and a reader of its stdout.
func child(t *testing.T, ctx context.Context, role, path string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envPath+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewReader(out)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(3)
}

// childCrashAfterStep finishes step "read-outputs" with outputs, starts
// "dns-cutover", and kills itself without closing anything.
func childCrashAfterStep(path string) {
	ctx := context.Background()
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		fail("open: %v", err)
	}
	op, err := j.Begin(ctx, journal.Operation{Kind: "failover", Service: "www", From: "aws", To: "hetzner", Started: t0})
	if err != nil {
		fail("begin: %v", err)
	}
	ref := op.Ref()
	steps := []error{
		j.StepStarted(ctx, ref, "read-outputs", t0.Add(time.Second)),
		j.StepFinished(ctx, ref, "read-outputs", journal.StepResult{
			Status: journal.StepOK, Outputs: map[string]string{"web_ipv4": `["127.0.0.2"]`}, At: t0.Add(2 * time.Second),
		}),
		j.StepStarted(ctx, ref, "dns-cutover", t0.Add(2*time.Second)),
	}
	if err := errors.Join(steps...); err != nil {
		fail("steps: %v", err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(10 * time.Second) // never reached
	os.Exit(4)
}

// childWriteUntilKilled records steps as fast as it can and prints each
// step's number once the journal has acknowledged it.
func childWriteUntilKilled(path string) {
	ctx := context.Background()
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		fail("open: %v", err)
	}
	op, err := j.Begin(ctx, journal.Operation{Kind: "drill", Service: "www", Started: t0})
	if err != nil {
		fail("begin: %v", err)
	}
	for i := range 5000 { // bounded: the parent kills it long before
		id := "step-" + strconv.Itoa(i)
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if err := j.StepStarted(ctx, op.Ref(), id, at); err != nil {
			fail("start %s: %v", id, err)
		}
		if err := j.StepFinished(ctx, op.Ref(), id, journal.StepResult{Status: journal.StepOK, Outputs: map[string]string{"i": strconv.Itoa(i)}, At: at}); err != nil {
			fail("finish %s: %v", id, err)
		}
		fmt.Println(i)
	}
	os.Exit(5)
}

// childOpenLocked tries to open a journal the parent holds and reports how
// it failed.
func childOpenLocked(path string, readOnly bool) {
	start := time.Now()
	j, err := journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 300 * time.Millisecond, ReadOnly: readOnly})
	if err == nil {
		j.Close()
		fail("opened a journal another process holds")
	}
	if !errors.Is(err, journal.ErrLocked) {
		fail("want ErrLocked, got %v", err)
	}
	fmt.Printf("%d %s\n", time.Since(start).Milliseconds(), err)
	os.Exit(0)
}

func TestBoltCrashAfterStepResumes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	cmd, _ := child(t, ctx, "crash-after-step", path)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v; want it killed by SIGKILL", err)
	}

	// The dead process's lock is gone: this open must not wait.
	j, err := journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer j.Close()
	u, err := j.Unfinished(ctx)
	if err != nil || u == nil {
		t.Fatalf("Unfinished = %v, %v; want the interrupted failover", u, err)
	}
	if !u.Done("read-outputs") || u.Done("dns-cutover") {
		t.Errorf("Done(read-outputs)=%v Done(dns-cutover)=%v; want true false", u.Done("read-outputs"), u.Done("dns-cutover"))
	}
	if got := u.Outputs("read-outputs")["web_ipv4"]; got != `["127.0.0.2"]` {
		t.Errorf("outputs of read-outputs = %q, want the addresses the dead run read", got)
	}
	r, err := j.Resume(ctx, u.ID, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := r.Step("dns-cutover"); st.Status != journal.StepInterrupted {
		t.Errorf("dns-cutover after resume = %s, want interrupted", st.Status)
	}
	if err := j.StepStarted(ctx, r.Ref(), "dns-cutover", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := j.StepFinished(ctx, r.Ref(), "dns-cutover", journal.StepResult{Status: journal.StepOK, At: t0.Add(61 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(ctx, r.Ref(), journal.StatusSucceeded, "resumed after crash", t0.Add(62*time.Second)); err != nil {
		t.Fatal(err)
	}
}

// TestBoltKilledMidWriteKeepsAcknowledgedSteps kills a writer at an arbitrary
// point of its write loop: every step it was told is recorded must survive,
// and the file must open cleanly.
func TestBoltKilledMidWriteKeepsAcknowledgedSteps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	cmd, out := child(t, ctx, "write-until-killed", path)
	acked := -1
	for acked < 30 {
		line, err := out.ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child stopped after step %d: %v", acked, err)
		}
		if acked, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
			t.Fatalf("child said %q", line)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	j, err := journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer j.Close()
	u, err := j.Unfinished(ctx)
	if err != nil || u == nil {
		t.Fatalf("Unfinished = %v, %v; want the killed drill", u, err)
	}
	for i := 0; i <= acked; i++ {
		id := "step-" + strconv.Itoa(i)
		if !u.Done(id) || u.Outputs(id)["i"] != strconv.Itoa(i) {
			t.Fatalf("%s was acknowledged before the kill but is not recorded done with its output", id)
		}
	}
	t.Logf("child acknowledged %d steps before SIGKILL; journal holds %d attempts", acked+1, len(u.Steps))
}

// A second process is refused after the lock timeout, naming the holder,
// whether it wants to write or only to read (history): bbolt's shared lock
// for readers still waits for the writer's exclusive one.
func TestBoltSecondProcessGetsErrLocked(t *testing.T) {
	for _, role := range []string{"open-locked", "open-locked-readonly"} {
		t.Run(role, func(t *testing.T) { testSecondProcessLocked(t, role) })
	}
}

func testSecondProcessLocked(t *testing.T, role string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()

	start := time.Now()
	cmd, out := child(t, ctx, role, path)
	line, _ := out.ReadString('\n')
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v (said %q)", err, line)
	}
	if wall := time.Since(start); wall > 10*time.Second {
		t.Errorf("refusal took %v; want about the 300ms lock timeout", wall)
	}
	ms, msg, _ := strings.Cut(strings.TrimSpace(line), " ")
	if n, _ := strconv.Atoi(ms); n < 200 || n > 5000 {
		t.Errorf("child waited %sms for the lock; want about 300", ms)
	}
	if want := fmt.Sprintf("held by pid %d", os.Getpid()); !strings.Contains(msg, want) {
		t.Errorf("error %q does not name the holder (%q)", msg, want)
	}
	t.Logf("second process: %s", msg)
}

func TestBoltSecondOpenInProcessGetsErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// Released on Close.
	j2, err := journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("open after Close: %v", err)
	}
	j2.Close()
}

func TestBoltRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("schema"), []byte("3")) // this lifeboat writes 2
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		_, err = journal.OpenBolt(path, journal.BoltOptions{ReadOnly: ro})
		if err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("open (read-only %v) of a schema-3 file: %v; want a refusal naming the newer schema", ro, err)
		}
		// A newer lifeboat's file is not damaged: no advice to restore it.
		if errors.Is(err, journal.ErrCorrupt) {
			t.Fatalf("open (read-only %v) of a schema-3 file: %v; want no ErrCorrupt", ro, err)
		}
	}
}

// BenchmarkBoltStepFinished measures one fsync'd StepFinished write, in an
// operation of realistic size (10 steps; a new operation is begun untimed).
func BenchmarkBoltStepFinished(b *testing.B) {
	ctx := context.Background()
	j, err := journal.OpenBolt(filepath.Join(b.TempDir(), "lifeboat.db"), journal.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	var op journal.Operation
	at := t0
	res := journal.StepResult{Status: journal.StepOK, Outputs: map[string]string{"web_ipv4": `["127.0.0.2","127.0.0.3"]`}}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		at = at.Add(time.Second)
		if i%10 == 0 {
			if op.ID != "" {
				if err := j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", at); err != nil {
					b.Fatal(err)
				}
			}
			if op, err = j.Begin(ctx, journal.Operation{Kind: "bench", Started: at}); err != nil {
				b.Fatal(err)
			}
		}
		step := "step-" + strconv.Itoa(i%10)
		if err := j.StepStarted(ctx, op.Ref(), step, at); err != nil {
			b.Fatal(err)
		}
		res.At = at
		b.StartTimer()
		if err := j.StepFinished(ctx, op.Ref(), step, res); err != nil {
			b.Fatal(err)
		}
	}
}
