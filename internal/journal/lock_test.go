package journal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// Readers share the file: two history commands at once both open it, and
// a writer waits for them, then is refused with ErrLocked.
func TestReadersShareWritersWait(t *testing.T) {
	path, _ := goodJournal(t)
	r1, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	if ops, err := r2.Operations(context.Background(), 0); err != nil || len(ops) != 1 {
		t.Fatalf("the second reader reads %d operations, %v", len(ops), err)
	}
	r2.Close()

	start := time.Now()
	_, err = journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("a writer while a reader holds the file: %v, want ErrLocked", err)
	}
	if wait := time.Since(start); wait < 100*time.Millisecond || wait > 5*time.Second {
		t.Errorf("the writer was refused after %v, want about the 200ms lock timeout", wait)
	}
}

// A read-only open waits no longer than its lock timeout for a writer.
func TestReadOnlyOpenWhileWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	w, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	_, err = journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("read-only open while a writer holds the file: %v, want ErrLocked", err)
	}
	if wait := time.Since(start); wait > 5*time.Second {
		t.Errorf("refused after %v, want about the 200ms lock timeout", wait)
	}
	if want := fmt.Sprintf("held by pid %d", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the writer (%q)", err, want)
	}
}

// A writer that crashed leaves its note behind; when the file is then held
// by a reader, the refusal must not name the dead writer.
func TestErrLockedIgnoresDeadWritersNote(t *testing.T) {
	path, _ := goodJournal(t)
	dead := exec.Command(os.Args[0], "-test.run=^$")
	dead.Env = append(os.Environ(), envRole+"=")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("pid %d on %s\n", dead.Process.Pid, host)
	if err := os.WriteFile(path+".owner", []byte(note), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = journal.OpenBolt(path, journal.BoltOptions{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("a writer while a reader holds the file: %v, want ErrLocked", err)
	}
	if strings.Contains(err.Error(), fmt.Sprint(dead.Process.Pid)) {
		t.Errorf("error %q names pid %d, which has exited", err, dead.Process.Pid)
	}
}

// The writer's note never follows a symbolic link, nor writes through a
// second name of another file: the file it points to is left as it was,
// and a note read through a link names nobody.
func TestOwnerNoteDoesNotFollowLinks(t *testing.T) {
	for _, kind := range []string{"symlink", "hardlink"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "lifeboat.db")
			victim := filepath.Join(dir, "precious")
			const content = "pid 1 on somewhere-else\n"
			if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			link := os.Symlink
			if kind == "hardlink" {
				link = os.Link
			}
			if err := link(victim, path+".owner"); err != nil {
				t.Fatal(err)
			}
			w, err := journal.OpenBolt(path, journal.BoltOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if b, err := os.ReadFile(victim); err != nil || string(b) != content {
				t.Fatalf("the file behind the %s was changed: %q, %v", kind, b, err)
			}
			// A reader refused the lock does not take the linked file's
			// words for the holder.
			_, err = journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
			if !errors.Is(err, journal.ErrLocked) {
				t.Fatalf("got %v, want ErrLocked", err)
			}
			if strings.Contains(err.Error(), "somewhere-else") {
				t.Errorf("the refusal names the linked file's content: %v", err)
			}
		})
	}
}
