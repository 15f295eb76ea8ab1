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
	w, err := Open(dir, "", Options{Binary: exe, VarDir: varDir, KillAfter: 5 * time.Second, PassEnv: fakePassEnv})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// noFileHolds fails if a file under any of dirs contains secret.
func noFileHolds(t *testing.T, secret string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), secret) {
				t.Errorf("%s holds the secret variable", p)
			}
			return nil
		})
	}
}

// Variables reach the command through its environment, and no file holds
// them, while it runs or after it succeeded, failed or was cancelled.
func TestVariablesNeverInAFile(t *testing.T) {
	const secret = "hunter22-secret"
	vars := map[string]string{"active": "true", "token": secret}
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
			if last.Args[0] != name || last.Env["TF_VAR_token"] != secret || last.VarPath != "" {
				t.Errorf("%v: TF_VAR_token %q, variable file %q; want the variable in its environment", last.Args, last.Env["TF_VAR_token"], last.VarPath)
			}
			assertNoVarFiles(t, varDir)
			noFileHolds(t, secret, varDir, w.Dir())
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
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			varDir := filepath.Join(t.TempDir(), VarDirName)
			marker := filepath.Join(t.TempDir(), "blocked")
			t.Setenv(fakeBlockEnv, marker)
			w := openFake(t, varDir)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- op(ctx, w) }()
			fb := waitBlocked(t, marker)
			// While the command runs, no file holds the variables.
			assertNoVarFiles(t, varDir)
			noFileHolds(t, secret, varDir, w.Dir(), tmp)
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
	w, err := Open(s.Dir, "", Options{Binary: exe, VarDir: s.VarDir, PassEnv: fakePassEnv})
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

// A lifeboat killed mid-apply leaves no file holding its variables (they
// were only in the command's environment).
func TestKilledProcessLeavesNoSecret(t *testing.T) {
	tmpdir := t.TempDir()
	t.Setenv("TMPDIR", tmpdir)
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
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	exited = true
	calls := readCalls(t, filepath.Join(tmp, "calls.jsonl"))
	if last := calls[len(calls)-1]; last.Args[0] != "apply" || last.Env["TF_VAR_token"] != "hunter22-secret" {
		t.Fatalf("the apply did not get the variable: %+v", last)
	}
	assertNoVarFiles(t, varDir)
	// calls.jsonl is the fake's own record of its environment.
	os.Remove(filepath.Join(tmp, "calls.jsonl"))
	noFileHolds(t, "hunter22-secret", tmp, tmpdir)
}
