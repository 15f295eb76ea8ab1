package journal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// goodJournal writes a journal with an unfinished operation, two steps and
// a placement, closes it, and returns its path and bytes.
func goodJournal(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	op, err := j.Begin(ctx, journal.Operation{Kind: "manual", Service: "www", Started: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"www/bravo/prepare", "www/bravo/apply"} {
		if err := j.StepStarted(ctx, op.Ref(), id, at); err != nil {
			t.Fatal(err)
		}
		if err := j.StepFinished(ctx, op.Ref(), id, journal.StepResult{Status: journal.StepOK, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.SetPlacement(ctx, op.Ref(), "www", "bravo", at); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, raw
}

// useJournal opens the file and reads everything a command would.
func useJournal(path string) error {
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		return err
	}
	defer j.Close()
	ctx := context.Background()
	if _, err := j.Unfinished(ctx); err != nil {
		return err
	}
	if _, err := j.Operations(ctx, 0); err != nil {
		return err
	}
	_, err = j.Placement(ctx)
	return err
}

// A damaged journal is a clear error naming the file, never a panic, a
// fault, or a silently new journal.
func TestDamagedJournalIsAnError(t *testing.T) {
	_, good := goodJournal(t)
	const page = 4096
	cases := map[string]func(t *testing.T, path string){
		"empty file": func(t *testing.T, path string) { write(t, path, nil) },
		"random bytes": func(t *testing.T, path string) {
			write(t, path, bytes.Repeat([]byte("not a journal "), 1000))
		},
		"truncated to one page":  func(t *testing.T, path string) { write(t, path, good[:page]) },
		"truncated to two pages": func(t *testing.T, path string) { write(t, path, good[:2*page]) },
		"meta pages overwritten": func(t *testing.T, path string) {
			bad := bytes.Clone(good)
			copy(bad[16:2*page], bytes.Repeat([]byte{0xA5}, 2*page))
			write(t, path, bad)
		},
		"data pages overwritten": func(t *testing.T, path string) {
			bad := bytes.Clone(good)
			for i := 2 * page; i < len(bad); i++ {
				bad[i] ^= 0x5A
			}
			write(t, path, bad)
		},
		"steps bucket deleted": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				ops := tx.Bucket([]byte("ops"))
				k, _ := ops.Cursor().First()
				return ops.Bucket(k).DeleteBucket([]byte("steps"))
			})
		},
		"step record not JSON": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				ops := tx.Bucket([]byte("ops"))
				k, _ := ops.Cursor().First()
				steps := ops.Bucket(k).Bucket([]byte("steps"))
				sk, _ := steps.Cursor().First()
				return steps.Put(sk, []byte("{not json"))
			})
		},
		"operation record not JSON": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				ops := tx.Bucket([]byte("ops"))
				k, _ := ops.Cursor().First()
				return ops.Bucket(k).Put([]byte("op"), []byte("[1,2"))
			})
		},
		"placement record not JSON": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("placement")).Put([]byte("www"), []byte("bravo"))
			})
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lifeboat.db")
			damage(t, path)
			before, _ := os.ReadFile(path)
			err := useJournal(path)
			if !errors.Is(err, journal.ErrCorrupt) {
				t.Fatalf("want ErrCorrupt, got %v", err)
			}
			if strings.Contains(name, "file") || strings.Contains(name, "truncated") || strings.Contains(name, "overwritten") || strings.Contains(name, "bytes") {
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "restore it from a backup") {
					t.Fatalf("the error does not name the file and what to do: %v", err)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatalf("the damaged file was changed (%d bytes, now %d)", len(before), len(after))
			}
		})
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// edit changes the file with bbolt directly, below the journal's API.
func edit(t *testing.T, path string, fn func(*bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// history opens read-only: nothing is created, and a missing file says so.
func TestReadOnlyOpen(t *testing.T) {
	path, _ := goodJournal(t)
	missing := filepath.Join(t.TempDir(), "none.db")
	if _, err := journal.OpenBolt(missing, journal.BoltOptions{ReadOnly: true}); !errors.Is(err, journal.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a read-only open created the file")
	}
	j, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ops, err := j.Operations(context.Background(), 0)
	if err != nil || len(ops) != 1 || len(ops[0].Steps) != 2 {
		t.Fatalf("operations %+v, %v", ops, err)
	}
	_, err = j.Begin(context.Background(), journal.Operation{Kind: "manual"})
	if !errors.Is(err, journal.ErrInvalid) {
		t.Fatalf("a write through a read-only journal: %v", err)
	}
}
