package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// assertNoVarFiles fails if dir holds anything: every command removes its
// variable file when it returns.
func assertNoVarFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left in the variable directory: %s", e.Name())
	}
}

// waitBlocked waits for the fake terraform to say it runs (fakeBlockEnv).
func waitBlocked(t *testing.T, marker string) fakeBlocked {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(marker); err == nil {
			var fb fakeBlocked
			if err := json.Unmarshal(b, &fb); err != nil {
				t.Fatal(err)
			}
			return fb
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the fake terraform did not start within 30s")
	return fakeBlocked{}
}

// openFake opens a workspace run by the fake terraform in this test binary.
func openFake(t *testing.T, varDir string) *Workspace {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "infra")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# empty\n"), 0o644)
	t.Setenv(fakeRecordEnv, filepath.Join(t.TempDir(), "calls.jsonl"))
	w, err := Open(dir, "", Options{Binary: exe, VarDir: varDir, KillAfter: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestVarFileRemovedAfterEveryOutcome(t *testing.T) {
	vars := map[string]string{"active": "true", "token": "hunter22-secret"}
	ops := map[string]func(context.Context, *Workspace) error{
		"apply": func(ctx context.Context, w *Workspace) error { return w.Apply(ctx, vars, nil) },
		"plan": func(ctx context.Context, w *Workspace) error {
			_, err := w.Plan(ctx, vars, filepath.Join(t.TempDir(), "p.tfplan"))
			return err
		},
	}
	for name, op := range ops {
		t.Run(name+"/success", func(t *testing.T) {
			varDir := filepath.Join(t.TempDir(), VarDirName)
			w := openFake(t, varDir)
			if err := op(t.Context(), w); err != nil {
				t.Fatal(err)
			}
			calls := readCalls(t, os.Getenv(fakeRecordEnv))
			last := calls[len(calls)-1]
			if last.Args[0] != name || filepath.Dir(last.VarPath) != varDir || !strings.Contains(last.VarFile, "hunter22-secret") {
				t.Errorf("%v read variable file %q (%q), want one in %s", last.Args, last.VarPath, last.VarFile, varDir)
			}
			assertNoVarFiles(t, varDir)
		})
		t.Run(name+"/failure", func(t *testing.T) {
			varDir := filepath.Join(t.TempDir(), VarDirName)
			t.Setenv(fakeFailEnv, "1") // before Open, which takes the environment
			w := openFake(t, varDir)
			var te *Error
			if err := op(t.Context(), w); !errors.As(err, &te) || te.Op != name {
				t.Fatalf("error %v, want the fake's %s failure", err, name)
			}
			assertNoVarFiles(t, varDir)
		})
		t.Run(name+"/cancel", func(t *testing.T) {
			varDir := filepath.Join(t.TempDir(), VarDirName)
			marker := filepath.Join(t.TempDir(), "blocked")
			t.Setenv(fakeBlockEnv, marker)
			w := openFake(t, varDir)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- op(ctx, w) }()
			fb := waitBlocked(t, marker)
			if _, err := os.Stat(fb.VarPath); err != nil || filepath.Dir(fb.VarPath) != varDir {
				t.Errorf("while running: variable file %q: %v", fb.VarPath, err)
			}
			// The file of a running command survives a sweep.
			if n, err := SweepVarFiles(varDir, nil); n != 0 || err != nil {
				t.Errorf("sweep while running: removed %d, %v", n, err)
			}
			if _, err := os.Stat(fb.VarPath); err != nil {
				t.Errorf("sweep removed a running command's file: %v", err)
			}
			cancel()
			select {
			case err := <-done:
				// Not DeadlineExceeded: callers tell a shutdown from a timeout.
				if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v, want context.Canceled only", err)
				}
			case <-time.After(30 * time.Second):
				syscall.Kill(fb.Pid, syscall.SIGKILL)
				t.Fatal("command did not stop within 30s of cancel")
			}
			assertNoVarFiles(t, varDir)
		})
	}
}

// childApplyEnv makes the test binary act as a lifeboat process that
// applies one workspace with the fake terraform, so a test can SIGKILL it
// mid-command.
const childApplyEnv = "LIFEBOAT_TEST_CHILD_APPLY"

type childSpec struct {
	Dir    string `json:"dir"`
	VarDir string `json:"var_dir"`
}

func childApply(spec string) int {
	var s childSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		return 90
	}
	os.Unsetenv(childApplyEnv) // the fake terraform it starts must be the fake
	exe, err := os.Executable()
	if err != nil {
		return 91
	}
	w, err := Open(s.Dir, "", Options{Binary: exe, VarDir: s.VarDir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 92
	}
	if err := w.Apply(context.Background(), map[string]string{"token": "hunter22-secret"}, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 93
	}
	return 0
}

func TestSweepRemovesFileOfKilledProcess(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // SweepVarFiles also looks there
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "infra")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# empty\n"), 0o644)
	varDir := filepath.Join(tmp, "state", VarDirName)
	marker := filepath.Join(tmp, "blocked")
	spec, _ := json.Marshal(childSpec{Dir: dir, VarDir: varDir})
	stderr, err := os.Create(filepath.Join(tmp, "child.stderr")) // a file: Wait must not wait for the orphaned fake
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()

	child := exec.Command(exe)
	child.Env = append(os.Environ(),
		childApplyEnv+"="+string(spec),
		fakeRecordEnv+"="+filepath.Join(tmp, "calls.jsonl"),
		fakeBlockEnv+"="+marker)
	child.Stderr = stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	defer func() {
		if !exited {
			child.Process.Kill()
			child.Wait()
		}
	}()
	fb := waitBlocked(t, marker)
	defer syscall.Kill(fb.Pid, syscall.SIGKILL) // the fake terraform outlives its parent

	if o, ok := parseVarFileName(filepath.Base(fb.VarPath)); !ok || o.pid != child.Process.Pid || filepath.Dir(fb.VarPath) != varDir {
		t.Fatalf("variable file %q, want one in %s named after pid %d", fb.VarPath, varDir, child.Process.Pid)
	}
	// A live process's file is kept.
	if n, err := SweepVarFiles(varDir, nil); n != 0 || err != nil {
		t.Errorf("sweep while the child runs: removed %d, %v", n, err)
	}
	if _, err := os.Stat(fb.VarPath); err != nil {
		t.Fatalf("sweep removed a live process's file: %v", err)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	exited = true
	if _, err := os.Stat(fb.VarPath); err != nil {
		t.Fatalf("want the killed process's file still there (nothing could remove it): %v", err)
	}
	n, err := SweepVarFiles(varDir, nil)
	if n != 1 || err != nil {
		t.Errorf("sweep after SIGKILL: removed %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(fb.VarPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("variable file of the killed process still there: %v", err)
	}
	assertNoVarFiles(t, varDir)
}
