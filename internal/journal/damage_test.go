package journal_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
	if _, err := j.Append(ctx, journal.Record{Kind: journal.RecordDecision, At: at, Summary: "failover"}); err != nil {
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

// useJournal opens the file and reads everything a command would; a
// writer then resumes the unfinished operation and begins another, the
// calls that read the fence and sequence counters.
func useJournal(path string, readOnly bool) error {
	j, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: readOnly})
	if err != nil {
		return err
	}
	defer j.Close()
	ctx := context.Background()
	u, err := j.Unfinished(ctx)
	if err != nil {
		return err
	}
	if _, err := j.Operations(ctx, 0); err != nil {
		return err
	}
	if _, err = j.Placement(ctx); err != nil {
		return err
	}
	for _, kind := range []journal.RecordKind{"", journal.RecordDecision} {
		if _, err := j.Records(ctx, kind, 0); err != nil {
			return err
		}
	}
	if readOnly {
		return nil
	}
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	if u != nil {
		r, err := j.Resume(ctx, u.ID, at)
		if err != nil {
			return err
		}
		if err := j.StepStarted(ctx, r.Ref(), "www/bravo/dns", at); err != nil {
			return err
		}
		if err := j.Finish(ctx, r.Ref(), journal.StatusAborted, "test", at); err != nil {
			return err
		}
	}
	_, err = j.Begin(ctx, journal.Operation{Kind: "manual", Started: at})
	return err
}

// A damaged journal is a clear error naming the file, never a panic, a
// fault, or a silently new journal.
func TestDamagedJournalIsAnError(t *testing.T) {
	goodPath, good := goodJournal(t)
	const page = 4096
	// bbolt grows a file ahead of its use; cutting only the unused tail
	// loses nothing and is not damage.
	inUse := int(bytesInUse(t, goodPath))
	if inUse <= 3*page || inUse > len(good) {
		t.Fatalf("the journal uses %d bytes of %d; the cases below need more than 3 pages", inUse, len(good))
	}
	cases := map[string]func(t *testing.T, path string){
		"empty file": func(t *testing.T, path string) { write(t, path, nil) },
		"random bytes": func(t *testing.T, path string) {
			write(t, path, bytes.Repeat([]byte("not a journal "), 1000))
		},
		"truncated to one page":  func(t *testing.T, path string) { write(t, path, good[:page]) },
		"truncated to two pages": func(t *testing.T, path string) { write(t, path, good[:2*page]) },
		"truncated to 100 bytes": func(t *testing.T, path string) { write(t, path, good[:100]) },
		"truncated inside the second meta page": func(t *testing.T, path string) {
			write(t, path, good[:page+page/2])
		},
		"truncated inside the data pages": func(t *testing.T, path string) {
			write(t, path, good[:2*page+page/2+3])
		},
		"truncated before the last page in use": func(t *testing.T, path string) {
			write(t, path, good[:inUse-page])
		},
		"truncated inside the last page in use": func(t *testing.T, path string) {
			write(t, path, good[:inUse-1])
		},
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
		// Headers intact, so bbolt takes the pages for leaves and follows
		// the offsets in them to memory past the end of the mapping.
		"leaf pages' elements overwritten": func(t *testing.T, path string) {
			bad := bytes.Clone(good)
			// A leaf element: flags, offset of the key from the element,
			// key size, value size.
			elem := binary.LittleEndian.AppendUint32(nil, 0)
			elem = binary.LittleEndian.AppendUint32(elem, 64<<20)
			elem = binary.LittleEndian.AppendUint32(elem, 8)
			elem = binary.LittleEndian.AppendUint32(elem, 8)
			leaves := 0
			for off := 2 * page; off+page <= inUse; off += page {
				if binary.LittleEndian.Uint16(bad[off+8:]) == 0x02 {
					copy(bad[off+16:off+page], bytes.Repeat(elem, page/len(elem)))
					leaves++
				}
			}
			if leaves == 0 {
				t.Fatal("no leaf page found")
			}
			write(t, path, bad)
		},
		// A freelist that claims millions of entries, read past the mapping.
		"freelist count overwritten": func(t *testing.T, path string) {
			bad := bytes.Clone(good)
			found := false
			for off := 2 * page; off+page <= inUse; off += page {
				if binary.LittleEndian.Uint16(bad[off+8:]) == 0x10 {
					binary.LittleEndian.PutUint16(bad[off+10:], 0xFFFF)
					binary.LittleEndian.PutUint64(bad[off+16:], 4<<20)
					found = true
				}
			}
			if !found {
				t.Fatal("no freelist page found")
			}
			write(t, path, bad)
		},
		// Pages that are free and in use at once: only bbolt's own check
		// sees this, and it keeps reporting after the first finding.
		"freelist lists a page twice": func(t *testing.T, path string) {
			bad := bytes.Clone(good)
			found := false
			for off := 2 * page; off+page <= inUse; off += page {
				n := int(binary.LittleEndian.Uint16(bad[off+10:]))
				if binary.LittleEndian.Uint16(bad[off+8:]) == 0x10 && n > 1 && n < 100 {
					// Every entry twice: several findings.
					copy(bad[off+16+8*n:], bad[off+16:off+16+8*n])
					binary.LittleEndian.PutUint16(bad[off+10:], uint16(2*n))
					found = true
				}
			}
			if !found {
				t.Fatal("no freelist page with several entries found")
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
		"sequence counter garbled": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("meta")).Put([]byte("seq"), []byte{1, 2, 3})
			})
		},
		"fence counter garbled": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("meta")).Put([]byte("fence"), []byte("seven"))
			})
		},
		"schema version deleted": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("meta")).Delete([]byte("schema"))
			})
		},
		"ops bucket deleted": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte("ops")) })
		},
		"another program's bbolt file": func(t *testing.T, path string) {
			write(t, path, nil)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			edit(t, path, func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucket([]byte("users"))
				if err != nil {
					return err
				}
				return b.Put([]byte("alice"), []byte("admin"))
			})
		},
		// bbolt's read-write open would save the missing freelist into
		// it before lifeboat could look.
		"another program's bbolt file without a saved freelist": func(t *testing.T, path string) {
			db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, NoFreelistSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Update(func(tx *bbolt.Tx) error {
				_, err := tx.CreateBucket([]byte("members"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		},
		"event record not JSON": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				recs := tx.Bucket([]byte("records"))
				k, _ := recs.Cursor().First()
				return recs.Put(k, []byte(`{"kind":`))
			})
		},
		"event record indexed but missing": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				recs := tx.Bucket([]byte("records"))
				k, _ := recs.Cursor().First()
				return recs.Delete(k)
			})
		},
		"event log deleted from a schema-2 journal": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte("records")) })
		},
		"placement record not JSON": func(t *testing.T, path string) {
			write(t, path, good)
			edit(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("placement")).Put([]byte("www"), []byte("bravo"))
			})
		},
	}
	// What some errors must say, beyond naming the file.
	says := map[string]string{
		"truncated before the last page in use":                 "cut short",
		"truncated inside the last page in use":                 "cut short",
		"freelist count overwritten":                            "freelist",
		"freelist lists a page twice":                           "already freed",
		"sequence counter garbled":                              "counter seq",
		"fence counter garbled":                                 "counter fence",
		"another program's bbolt file":                          "not a journal's",
		"another program's bbolt file without a saved freelist": "no saved freelist",
		"steps bucket deleted":                                  "operation 00000001: the operation has no steps bucket",
		"step record not JSON":                                  "operation 00000001: step record 1 does not decode",
		"operation record not JSON":                             "operation 00000001: record \"op\" does not decode",
		"placement record not JSON":                             "the placement of www does not decode",
		"event record not JSON":                                 "record 1 does not decode",
		"event record indexed but missing":                      "record 1 of kind decision is indexed but missing",
		"event log deleted from a schema-2 journal":             "bucket records is missing",
	}
	for name, damage := range cases {
		for _, readOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/readonly=%v", name, readOnly), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "lifeboat.db")
				damage(t, path)
				before, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				goroutines := runtime.NumGoroutine()
				err = useJournal(path, readOnly)
				if !errors.Is(err, journal.ErrCorrupt) {
					t.Fatalf("want ErrCorrupt, got %v", err)
				}
				t.Log(err)
				if want := says[name]; !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q", want)
				}
				// The refused open let go of the file: trying again gives
				// the same answer, not ErrLocked.
				if again := useJournal(path, readOnly); !errors.Is(again, journal.ErrCorrupt) {
					t.Fatalf("a second attempt: want ErrCorrupt, got %v", again)
				}
				// Nothing is left running: bbolt's check goroutine is waited for.
				for i := 0; runtime.NumGoroutine() > goroutines; i++ {
					if i == 100 {
						t.Fatalf("%d goroutines left running after the refused opens", runtime.NumGoroutine()-goroutines)
					}
					time.Sleep(10 * time.Millisecond)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "restore it from a backup") {
					t.Fatalf("the error does not name the file and what to do: %v", err)
				}
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(before, after) {
					t.Fatalf("the damaged file was changed (%d bytes, now %d)", len(before), len(after))
				}
			})
		}
	}
}

// bytesInUse is how much of a bbolt file its pages occupy.
func bytesInUse(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.View(func(tx *bbolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Cutting the tail bbolt allocated ahead of use loses nothing: the journal
// opens and reads as before.
func TestUnusedTailCutIsNotDamage(t *testing.T) {
	path, good := goodJournal(t)
	inUse := bytesInUse(t, path)
	if inUse >= int64(len(good)) {
		t.Skipf("bbolt allocated no tail here (%d of %d bytes in use)", inUse, len(good))
	}
	write(t, path, good[:inUse])
	if err := useJournal(path, true); err != nil {
		t.Fatal(err)
	}
	if err := useJournal(path, false); err != nil {
		t.Fatal(err)
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
