package testharness

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// BuildLifeboatHost builds cmd/lifeboat-host into a temporary directory and
// returns the executable's path (the go build cache makes repeat calls cheap).
func BuildLifeboatHost(t testing.TB) string {
	t.Helper()
	Real(t, "lifeboat-host binary")
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out := filepath.Join(t.TempDir(), "lifeboat-host")
	cmd := exec.Command(goBin, "build", "-o", out, "./cmd/lifeboat-host")
	cmd.Dir = RepoRoot(t)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testharness: build lifeboat-host: %v\n%s", err, msg)
	}
	return out
}

// ExampleInfra copies examples/local/infra (the alpha and bravo workspaces
// and their module) into a temporary directory and returns the copy's path,
// so tests can init and apply without dirtying the repository. Local state,
// .terraform and lock files are left behind.
func ExampleInfra(t testing.TB) string {
	t.Helper()
	src := filepath.Join(RepoRoot(t), "examples", "local", "infra")
	dst := filepath.Join(t.TempDir(), "infra")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasPrefix(name, "terraform.tfstate") || name == ".terraform.lock.hcl" || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("testharness: copy example infra: %v", err)
	}
	return dst
}
