package terraform

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVarDirRefusedWhenNotPrivate(t *testing.T) {
	tmp := t.TempDir()
	mk := func(name string, mode fs.FileMode) string {
		p := filepath.Join(tmp, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, nil, 0o600)
	link := filepath.Join(tmp, "link")
	if err := os.Symlink(mk("target", 0o700), link); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ dir, says string }{
		"group readable": {mk("group", 0o750), "mode 0750"},
		"world writable": {mk("world", 0o703), "mode 0703"},
		"a symlink":      {link, "symbolic link"},
		"a file":         {file, "not a directory"},
	}
	if os.Geteuid() == 0 {
		other := mk("other", 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases["another user's"] = struct{ dir, says string }{other, "owned by uid 65534"}
	} else {
		t.Log("not root: cannot make a directory owned by another user; that case is not run")
	}
	infra := t.TempDir()
	for name, tc := range cases {
		_, err := Open(infra, "", Options{Binary: "/bin/sh", VarDir: tc.dir})
		if !errors.Is(err, ErrUnsafeVarDir) || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), tc.dir) {
			t.Errorf("%s: Open error %v, want ErrUnsafeVarDir naming %s and saying %q", name, err, tc.dir, tc.says)
		}
		if _, err := SweepVarFiles(tc.dir, nil); !errors.Is(err, ErrUnsafeVarDir) {
			t.Errorf("%s: SweepVarFiles error %v, want ErrUnsafeVarDir", name, err)
		}
	}
	// Nothing was written into the refused directories.
	for _, d := range []string{"group", "world", "target"} {
		if ents, _ := os.ReadDir(filepath.Join(tmp, d)); len(ents) > 0 {
			t.Errorf("%s: %d entries written", d, len(ents))
		}
	}
	// A private directory is accepted, and Open keeps the absolute path.
	ok := mk("ok", 0o700)
	w, err := Open(infra, "", Options{Binary: "/bin/sh", VarDir: ok})
	if err != nil {
		t.Fatalf("Open with a private dir: %v", err)
	}
	if w.opts.VarDir != ok {
		t.Errorf("VarDir %q, want %q", w.opts.VarDir, ok)
	}
}

func TestDefaultVarDirPerUser(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w, err := Open(t.TempDir(), "", Options{Binary: "/bin/sh"})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(tmp, "lifeboat-vars."+strconv.Itoa(os.Geteuid()))
	if w.opts.VarDir != want || DefaultVarDir() != want {
		t.Errorf("VarDir %q, DefaultVarDir %q; want %q", w.opts.VarDir, DefaultVarDir(), want)
	}
	if fi, err := os.Lstat(want); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("default dir: %v %v, want mode 0700", fi, err)
	}
	// Someone else's lookalike in the shared temporary directory is refused.
	os.Chmod(want, 0o777)
	if _, err := Open(t.TempDir(), "", Options{Binary: "/bin/sh"}); !errors.Is(err, ErrUnsafeVarDir) {
		t.Errorf("Open with an open default dir: %v, want ErrUnsafeVarDir", err)
	}
}

func TestParseVarFileName(t *testing.T) {
	name := varFileName("0123abcd")
	if o, ok := parseVarFileName(name); !ok || o != self() {
		t.Errorf("%q parsed as %+v, %v; want %+v", name, o, ok, self())
	}
	for _, bad := range []string{
		"vars-0-1-2-r.tfvars.json",  // kill(0) is the process group
		"vars--1-1-2-r.tfvars.json", // kill(-1) is every process
		"vars-x-1-2-r.tfvars.json",
		"vars-12-1-2.tfvars.json",
		"vars-12--2-r.tfvars.json",
		"vars-12-1-2-r.json",
		"other-12-1-2-r.tfvars.json",
	} {
		if o, ok := parseVarFileName(bad); ok {
			t.Errorf("%q parsed as %+v", bad, o)
		}
	}
}

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestSweepVarFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := filepath.Join(t.TempDir(), VarDirName)
	if n, err := SweepVarFiles(dir, nil); n != 0 || err != nil {
		t.Fatalf("missing dir: %d, %v; want nothing and no error", n, err)
	}
	if err := ensureVarDir(dir); err != nil {
		t.Fatal(err)
	}
	me := self()
	old := time.Now().Add(-2 * staleAge)
	files := map[string]struct {
		old  bool
		kept bool
	}{
		varFileName("live"): {old: true, kept: true}, // this process: never, however old
		"vars-" + strconv.Itoa(deadPid(t)) + "-" + me.start + "-" + me.boot + "-dead.tfvars.json": {kept: false},
		"vars-" + strconv.Itoa(me.pid) + "-1-" + me.boot + "-reused.tfvars.json":                  {kept: me.start == "0"}, // our pid, another start time
		"vars-" + strconv.Itoa(me.pid) + "-" + me.start + "-ffffffff-reboot.tfvars.json":          {kept: me.boot == "0" || me.boot == "ffffffff"},
		"vars-garbled.tfvars.json":     {kept: true},
		"vars-garbled-old.tfvars.json": {old: true, kept: false},
		"notes.txt":                    {old: true, kept: true}, // not ours
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		if f.old {
			os.Chtimes(p, old, old)
		}
	}
	wantRemoved := 0
	for _, f := range files {
		if !f.kept {
			wantRemoved++
		}
	}
	n, err := SweepVarFiles(dir, nil)
	if err != nil || n != wantRemoved {
		t.Errorf("removed %d, %v; want %d", n, err, wantRemoved)
	}
	for name, f := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s: kept %v, want %v", name, kept, f.kept)
		}
	}
}

func TestSweepVarFilesOlderVersionsTempDirs(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := time.Now().Add(-2 * staleAge)
	mk := func(name string, files []string, age time.Time) string {
		d := filepath.Join(tmp, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(d, f)
			os.WriteFile(p, []byte("{}"), 0o600)
			os.Chtimes(p, age, age)
		}
		os.Chtimes(d, age, age)
		return d
	}
	stale := mk("lifeboat-vars-123", []string{legacyVarFile}, old)
	empty := mk("lifeboat-vars-124", nil, old)
	recent := mk("lifeboat-vars-125", []string{legacyVarFile}, time.Now())
	extra := mk("lifeboat-vars-126", []string{legacyVarFile, "other"}, old)
	notOurs := mk("lifeboat-vars-x", []string{legacyVarFile}, old)
	open := mk("lifeboat-vars-127", []string{legacyVarFile}, old)
	os.Chmod(open, 0o755)
	os.Chtimes(open, old, old)

	n, err := SweepVarFiles(filepath.Join(t.TempDir(), VarDirName), nil)
	if err != nil || n != 2 {
		t.Errorf("removed %d, %v; want 2 (the stale and the empty directory)", n, err)
	}
	for d, gone := range map[string]bool{stale: true, empty: true, recent: false, extra: false, notOurs: false, open: false} {
		_, err := os.Lstat(d)
		if isGone := errors.Is(err, fs.ErrNotExist); isGone != gone {
			t.Errorf("%s: gone %v, want %v", filepath.Base(d), isGone, gone)
		}
	}
}
