package journal_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"go.etcd.io/bbolt"
)

// Records survive closing the file, and a read-only open (history) lists
// them but takes no more.
func TestBoltRecordsReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for i, k := range []journal.RecordKind{journal.RecordHold, journal.RecordDrill} {
		r, err := j.Append(ctx, journal.Record{Kind: k, At: t0.Add(time.Duration(i) * time.Second), Summary: string(k)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Seq)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, err := ro.Records(ctx, "", 0)
	if err != nil || len(got) != 2 || got[0].Seq != seqs[1] || got[1].Seq != seqs[0] || got[0].Kind != journal.RecordDrill {
		t.Fatalf("Records read-only = %+v, %v; want the drill (Seq %d) then the hold (Seq %d)", got, err, seqs[1], seqs[0])
	}
	_, err = ro.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0, Summary: "on"})
	if !errors.Is(err, journal.ErrInvalid) {
		t.Fatalf("Append through a read-only journal: %v, want ErrInvalid", err)
	}
}

// schema1Journal writes a journal as the lifeboat before the event log
// did: schema 1, no records buckets, one finished operation.
func schema1Journal(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lifeboat.db")
	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := j.Begin(ctx, journal.Operation{Kind: "manual", Service: "www", Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", t0); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	edit(t, path, func(tx *bbolt.Tx) error {
		for _, name := range []string{"records", "records_kind"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("1"))
	})
	return path
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.View(func(tx *bbolt.Tx) error {
		v = string(tx.Bucket([]byte("meta")).Get([]byte("schema")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// A journal written before the event log opens and keeps working: read-only
// it has no records (and no error); its first Append adds the log, and only
// then does it say schema 2 (so the older lifeboat refuses it as newer).
func TestBoltRecordsInSchema1Journal(t *testing.T) {
	ctx := context.Background()
	path := schema1Journal(t)

	ro, err := journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a schema-1 journal: %v", err)
	}
	for _, kind := range []journal.RecordKind{"", journal.RecordDecision} {
		if got, err := ro.Records(ctx, kind, 0); err != nil || len(got) != 0 {
			t.Errorf("Records(%q) read-only on a schema-1 journal = %+v, %v; want none, no error", kind, got, err)
		}
	}
	ro.Close()

	j, err := journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatalf("open of a schema-1 journal: %v", err)
	}
	if got, err := j.Records(ctx, "", 0); err != nil || len(got) != 0 {
		t.Errorf("Records on a schema-1 journal = %+v, %v; want none, no error", got, err)
	}
	j.Close()
	if v := schemaOf(t, path); v != "1" {
		t.Fatalf("opening and reading changed the schema to %q; want 1 until the first Append", v)
	}

	j, err = journal.OpenBolt(path, journal.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := j.Append(ctx, journal.Record{Kind: journal.RecordDecision, At: t0, Summary: "held back: cooldown"})
	if err != nil {
		t.Fatalf("Append to a schema-1 journal: %v", err)
	}
	j.Close()
	if v := schemaOf(t, path); v != "2" {
		t.Errorf("schema after the first Append is %q, want 2", v)
	}

	j, err = journal.OpenBolt(path, journal.BoltOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("reopen after the first Append: %v", err)
	}
	defer j.Close()
	got, err := j.Records(ctx, journal.RecordDecision, 0)
	if err != nil || len(got) != 1 || got[0].Seq != r.Seq || got[0].Summary != "held back: cooldown" {
		t.Fatalf("Records after reopen = %+v, %v; want the one appended", got, err)
	}
	if ops, err := j.Operations(ctx, 0); err != nil || len(ops) != 1 {
		t.Fatalf("Operations after the log was added = %+v, %v; want the old operation", ops, err)
	}
}
