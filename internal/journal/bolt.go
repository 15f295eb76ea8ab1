package journal

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
)

// schemaVersion is the layout written by this code. A later layout bumps it
// and migrates older files in OpenBolt.
const schemaVersion = 2

// On-disk layout:
//
//	meta/       schema → "2"; seq, fence → uint64; unfinished → key of the running op
//	ops/<key>/  op → opRecord JSON; steps/<n> → stepRecord JSON (n from NextSequence)
//	placement/  service → placementRecord JSON
//	records/, records_kind/  the event log (see bolt_records.go), from schema 2
//
// <key> is the operation's sequence number, 8 bytes big-endian, so a cursor
// walks operations in the order they began.
var (
	bucketMeta      = []byte("meta")
	bucketOps       = []byte("ops")
	bucketSteps     = []byte("steps")
	bucketPlacement = []byte("placement")
	// bucketUnfinished holds the keys of every unfinished operation. Files
	// written before several could be unfinished at once keep one in
	// meta/unfinished; both are read.
	bucketUnfinished = []byte("unfinished")

	keySchema     = []byte("schema")
	keySeq        = []byte("seq")
	keyFence      = []byte("fence")
	keyUnfinished = []byte("unfinished")
	keyOp         = []byte("op")
)

// DefaultLockTimeout bounds how long OpenBolt waits for another process to
// release the file before returning ErrLocked.
const DefaultLockTimeout = time.Second

// BoltOptions tune OpenBolt.
type BoltOptions struct {
	// LockTimeout is how long to wait for the file lock; 0 means
	// DefaultLockTimeout. Opening never waits forever.
	LockTimeout time.Duration
	// ReadOnly opens an existing file for reading only (history): nothing
	// is created or written, and a missing file is ErrNotFound.
	ReadOnly bool
	// MaxRecordsPerKind is how many records of each kind the event log
	// keeps; Append drops the oldest beyond it. 0 (or less) means
	// DefaultMaxRecordsPerKind.
	MaxRecordsPerKind int
}

// Bolt is the Journal kept in a local bbolt file. bbolt holds an exclusive
// lock on the file while it is open, which is what keeps a second lifeboat
// process out; the kernel drops the lock when the holder dies, so a crashed
// process never holds it. Every write is its own fsync'd transaction.
type Bolt struct {
	db        *bbolt.DB
	path      string
	ownerPath string
	// maxRecords bounds the event log, per kind.
	maxRecords int

	mu     sync.Mutex
	closed bool
}

var _ Journal = (*Bolt)(nil)

// OpenBolt opens (creating if needed, with its parent directory) the journal
// file at path. It fails with ErrLocked if another process holds it for
// longer than the lock timeout, and with ErrCorrupt if the file is not a
// journal it can read whole; only a path that does not exist is created.
func OpenBolt(path string, opts BoltOptions) (*Bolt, error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	deadline := time.Now().Add(timeout)
	switch fi, serr := os.Stat(path); {
	case serr == nil && !fi.Mode().IsRegular():
		return nil, corrupt(path, errors.New("it is not a regular file"))
	case serr == nil && fi.Size() == 0:
		// bbolt would lay a new, empty journal over it, losing the
		// unfinished operation and the placement it should have held.
		return nil, corrupt(path, errors.New("the file is empty"))
	case serr == nil && !opts.ReadOnly:
		// bbolt's read-write open may write before anything here has
		// looked at the file (it saves a freelist the file lacks, as in
		// another program's file): look at it read-only first.
		r, _, err := openDB(path, timeout, true)
		if err != nil {
			return nil, err
		}
		r.Close()
	case errors.Is(serr, os.ErrNotExist) && opts.ReadOnly:
		return nil, fmt.Errorf("open journal %s: %w: no journal yet", path, ErrNotFound)
	case errors.Is(serr, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open journal: %w", err)
		}
	case serr != nil:
		return nil, fmt.Errorf("open journal: %w", serr)
	}
	// Both opens share one lock timeout; bbolt waits forever on 0.
	b, fresh, err := openDB(path, max(time.Until(deadline), 50*time.Millisecond), opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	switch {
	case fresh && opts.ReadOnly:
		b.Close()
		return nil, fmt.Errorf("open journal %s: %w: no journal yet (the file holds nothing)", path, ErrNotFound)
	case fresh:
		// A file bbolt just created, or one left by a process that died
		// between creating it and laying it out: it holds nothing to lose.
		if err := b.db.Update(initSchema); err != nil {
			b.Close()
			return nil, fmt.Errorf("open journal %s: %w", path, err)
		}
	}
	b.maxRecords = opts.MaxRecordsPerKind
	if b.maxRecords <= 0 {
		b.maxRecords = DefaultMaxRecordsPerKind
	}
	if !opts.ReadOnly {
		b.ownerPath = ownerPath(path)
		writeOwner(b.ownerPath)
	}
	return b, nil
}

// openDB opens the file with bbolt and checks it (see check). fresh
// reports a file with no buckets at all.
func openDB(path string, timeout time.Duration, readOnly bool) (b *Bolt, fresh bool, err error) {
	var db *bbolt.DB
	var file *os.File // as bbolt opened it, to let go of it if bbolt panics
	defer func() {
		// Runs last, after a panic became err: release the file and its
		// lock, or a later open in this process would find it held.
		switch {
		case err == nil:
		case db != nil:
			db.Close()
		case file != nil:
			// bbolt panicked inside Open, so its mapping of the file
			// stays (it is small), and keeps the file's lock alive past
			// Close: unlock explicitly.
			_ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN) // best effort: Close follows
			file.Close()
		}
	}()
	defer recoverCorrupt(path, &err)
	// A file cut short faults when bbolt reads its mapping: make that a
	// panic that recoverCorrupt turns into ErrCorrupt.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// Read-only, bbolt loads the freelist only when tx.Check asks for it,
	// after preflight has checked it lies inside the file.
	db, err = bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout: timeout, ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		},
	})
	if errors.Is(err, bbolt.ErrTimeout) {
		// The holder wrote who it is next to the file (it cannot be read
		// from the locked file itself).
		if who := holder(ownerPath(path)); who != "" {
			return nil, false, fmt.Errorf("open journal %s: %w (held by %s)", path, ErrLocked, who)
		}
		return nil, false, fmt.Errorf("open journal %s: %w", path, ErrLocked)
	}
	if err != nil && !errors.Is(err, os.ErrPermission) && !errors.Is(err, os.ErrNotExist) {
		// bbolt's own errors for a damaged file (ErrInvalid, ErrChecksum,
		// "file size too small", ...) are not all sentinels.
		return nil, false, corrupt(path, err)
	}
	if err != nil {
		return nil, false, fmt.Errorf("open journal %s: %w", path, err)
	}
	// The file is locked now: no writer is half-way through a commit.
	if err := preflight(path); err != nil {
		return nil, false, corrupt(path, err)
	}
	b = &Bolt{db: db, path: path}
	fresh, err = b.check()
	if err != nil {
		return nil, false, err
	}
	return b, fresh, nil
}

// corrupt is the error for a damaged journal file: it names the file and
// says what to do, since lifeboat will not touch it.
func corrupt(path string, cause error) error {
	return fmt.Errorf("journal %s: %w: %v. lifeboat will not overwrite it: restore it from a backup, or move it aside to start a new journal (the placement and the history in it are then forgotten)", path, ErrCorrupt, cause)
}

// damageError is a record that does not decode (or a bucket that is
// missing) found inside a transaction; the transaction's wrapper turns it
// into ErrCorrupt naming the file.
type damageError struct{ msg string }

func (e *damageError) Error() string { return e.msg }

func damaged(format string, args ...any) error {
	return &damageError{fmt.Sprintf(format, args...)}
}

// named turns damage found in a transaction into ErrCorrupt, naming the
// file and what to do.
func (b *Bolt) named(err error) error {
	if d := (*damageError)(nil); errors.As(err, &d) {
		return corrupt(b.path, err)
	}
	return err
}

// recordKey shows a step's key as the sequence number it is.
func recordKey(k []byte) string {
	if len(k) == 8 {
		return strconv.FormatUint(binary.BigEndian.Uint64(k), 10)
	}
	return fmt.Sprintf("%x", k)
}

// recoverCorrupt turns a panic inside bbolt (an invalid page, a fault on a
// truncated mapping) into ErrCorrupt. bbolt panics on damage it finds
// while walking the file; the process must not die with a trace instead.
func recoverCorrupt(path string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	// A memory fault (SetPanicOnFault) says nothing useful in its own words.
	if _, fault := r.(interface{ Addr() uintptr }); fault {
		*err = corrupt(path, errors.New("reading it faulted: it is cut short or overwritten"))
		return
	}
	*err = corrupt(path, fmt.Errorf("%v", r))
}

// initSchema lays out a new journal in a file that holds no buckets.
func initSchema(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketOps, bucketPlacement, bucketRecords, bucketRecordKinds} {
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	return nil
}

// Path is the journal file.
func (b *Bolt) Path() string { return b.path }

// Close releases the file and its lock. Closing twice is harmless.
func (b *Bolt) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.ownerPath != "" {
		_ = os.Remove(b.ownerPath) // a stale note is only informational
	}
	return b.db.Close()
}

// Records stored in the file. They are separate from the exported types so
// the file format changes only on purpose (with schemaVersion).
type opRecord struct {
	Kind     string          `json:"kind"`
	Service  string          `json:"service,omitempty"`
	Services []string        `json:"services,omitempty"`
	From     string          `json:"from,omitempty"`
	To       string          `json:"to,omitempty"`
	Plan     json.RawMessage `json:"plan,omitempty"`
	Owner    string          `json:"owner,omitempty"`
	Status   Status          `json:"status"`
	Fence    uint64          `json:"fence"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished,omitzero"`
	Resumed  []time.Time     `json:"resumed,omitempty"`
	Summary  string          `json:"summary,omitempty"`
}

type stepRecord struct {
	ID       string            `json:"id"`
	Attempt  int               `json:"attempt"`
	Status   StepStatus        `json:"status"`
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished,omitzero"`
	Error    string            `json:"error,omitempty"`
	Outputs  map[string]string `json:"outputs,omitempty"`
}

type placementRecord struct {
	Provider string    `json:"provider"`
	OpID     string    `json:"op_id"`
	Since    time.Time `json:"since"`
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// getU64 reads a counter; a missing one is 0 (a new journal). A counter
// of the wrong size is damage: reading it as 0 would hand out fences and
// IDs again.
func getU64(b *bbolt.Bucket, key []byte) (uint64, error) {
	v := b.Get(key)
	switch len(v) {
	case 0:
		return 0, nil
	case 8:
		return binary.BigEndian.Uint64(v), nil
	}
	return 0, damaged("counter %s is %d bytes, not 8", key, len(v))
}

// formatID turns a sequence number into an ID that sorts as text too.
func formatID(seq uint64) string { return fmt.Sprintf("%08d", seq) }

func parseID(id string) ([]byte, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return u64(n), nil
}

func (b *Bolt) view(ctx context.Context, fn func(*bbolt.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer recoverCorrupt(b.path, &err)
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	return b.named(b.db.View(fn))
}

func (b *Bolt) update(ctx context.Context, fn func(*bbolt.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.db.IsReadOnly() {
		return fmt.Errorf("%w: the journal was opened read-only", ErrInvalid)
	}
	defer recoverCorrupt(b.path, &err)
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	return b.named(b.db.Update(fn))
}

// Begin implements Journal.
func (b *Bolt) Begin(ctx context.Context, op Operation) (Operation, error) {
	if err := validateBegin(op); err != nil {
		return Operation{}, err
	}
	var out Operation
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		for _, cur := range unfinishedKeys(tx) {
			running, err := loadOp(tx, cur)
			if err != nil {
				return err
			}
			if running.Overlaps(op) {
				return errRunning(running)
			}
		}
		seq, err := getU64(meta, keySeq)
		if err != nil {
			return err
		}
		fence, err := getU64(meta, keyFence)
		if err != nil {
			return err
		}
		seq, fence = seq+1, fence+1
		key := u64(seq)
		rec := opRecord{
			Kind: op.Kind, Service: op.Service, Services: op.Services, From: op.From, To: op.To, Plan: op.Plan, Owner: op.Owner,
			Status: StatusRunning, Fence: fence, Started: op.Started,
		}
		ob, err := tx.Bucket(bucketOps).CreateBucket(key)
		if err != nil {
			return err
		}
		if _, err := ob.CreateBucket(bucketSteps); err != nil {
			return err
		}
		if err := putJSON(ob, keyOp, rec); err != nil {
			return err
		}
		for k, v := range map[string][]byte{string(keySeq): u64(seq), string(keyFence): u64(fence)} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		unf, err := tx.CreateBucketIfNotExists(bucketUnfinished)
		if err != nil {
			return err
		}
		if err := unf.Put(key, []byte{1}); err != nil {
			return err
		}
		out = toOperation(formatID(seq), rec, nil)
		return nil
	})
	if err != nil {
		return Operation{}, fmt.Errorf("begin %s: %w", op.Kind, err)
	}
	return out, nil
}

// Unfinished implements Journal.
func (b *Bolt) Unfinished(ctx context.Context) (*Operation, error) {
	all, err := b.UnfinishedAll(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// UnfinishedAll implements Journal.
func (b *Bolt) UnfinishedAll(ctx context.Context) ([]Operation, error) {
	var out []Operation
	err := b.view(ctx, func(tx *bbolt.Tx) error {
		for _, k := range unfinishedKeys(tx) {
			op, err := loadOp(tx, k)
			if err != nil {
				return err
			}
			out = append(out, op)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unfinished operations: %w", err)
	}
	return out, nil
}

// unfinishedKeys lists the keys of unfinished operations, oldest first.
func unfinishedKeys(tx *bbolt.Tx) [][]byte {
	var keys [][]byte
	if legacy := tx.Bucket(bucketMeta).Get(keyUnfinished); legacy != nil {
		keys = append(keys, append([]byte(nil), legacy...))
	}
	if unf := tx.Bucket(bucketUnfinished); unf != nil {
		c := unf.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if !slices.ContainsFunc(keys, func(x []byte) bool { return bytes.Equal(x, k) }) {
				keys = append(keys, append([]byte(nil), k...))
			}
		}
	}
	slices.SortFunc(keys, func(a, b []byte) int { return bytes.Compare(a, b) })
	return keys
}

// Resume implements Journal.
func (b *Bolt) Resume(ctx context.Context, id string, at time.Time) (Operation, error) {
	var out Operation
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		key, err := parseID(id)
		if err != nil {
			return err
		}
		ob := tx.Bucket(bucketOps).Bucket(key)
		if ob == nil {
			return ErrNotFound
		}
		var rec opRecord
		if err := getJSON(ob, keyOp, &rec); err != nil {
			return err
		}
		if rec.Status.Terminal() {
			return ErrFinished
		}
		meta := tx.Bucket(bucketMeta)
		fence, err := getU64(meta, keyFence)
		if err != nil {
			return err
		}
		rec.Fence = fence + 1
		if err := meta.Put(keyFence, u64(rec.Fence)); err != nil {
			return err
		}
		rec.Resumed = append(rec.Resumed, at)
		if err := interruptRunning(ob.Bucket(bucketSteps)); err != nil {
			return err
		}
		if err := putJSON(ob, keyOp, rec); err != nil {
			return err
		}
		out, err = loadOp(tx, key)
		return err
	})
	if err != nil {
		return Operation{}, fmt.Errorf("resume %s: %w", id, err)
	}
	return out, nil
}

// StepStarted implements Journal.
func (b *Bolt) StepStarted(ctx context.Context, ref Ref, stepID string, at time.Time) error {
	if err := validateStepStarted(stepID, at); err != nil {
		return err
	}
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		ob, _, err := writable(tx, ref)
		if err != nil {
			return err
		}
		steps := ob.Bucket(bucketSteps)
		attempts := 0
		err = forEachStep(steps, func(k []byte, s *stepRecord) (bool, error) {
			if s.ID != stepID {
				return false, nil
			}
			attempts++
			// A start without a result for the previous attempt: that
			// attempt will never report.
			if s.Status == StepRunning {
				s.Status = StepInterrupted
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		return appendStep(steps, stepRecord{ID: stepID, Attempt: attempts + 1, Status: StepRunning, Started: at})
	})
	if err != nil {
		return fmt.Errorf("step %s started (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// StepFinished implements Journal.
func (b *Bolt) StepFinished(ctx context.Context, ref Ref, stepID string, res StepResult) error {
	if err := validateStepFinished(stepID, res); err != nil {
		return err
	}
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		ob, _, err := writable(tx, ref)
		if err != nil {
			return err
		}
		steps := ob.Bucket(bucketSteps)
		if steps == nil {
			return errNoSteps
		}
		// The latest attempt of this step, scanning back from the end.
		var last stepRecord
		var lastKey []byte
		attempts := 0
		c := steps.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var s stepRecord
			if err := json.Unmarshal(v, &s); err != nil {
				return damaged("step record %s does not decode: %v", recordKey(k), err)
			}
			if s.ID == stepID {
				if lastKey == nil {
					last, lastKey = s, k
				}
				attempts++
			}
		}
		if lastKey != nil && last.Status == StepRunning {
			last.Status, last.Finished, last.Error, last.Outputs = res.Status, res.At, res.Error, res.Outputs
			return putJSON(steps, lastKey, last)
		}
		return appendStep(steps, stepRecord{
			ID: stepID, Attempt: attempts + 1, Status: res.Status,
			Started: res.At, Finished: res.At, Error: res.Error, Outputs: res.Outputs,
		})
	})
	if err != nil {
		return fmt.Errorf("step %s finished (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// Finish implements Journal.
func (b *Bolt) Finish(ctx context.Context, ref Ref, status Status, summary string, at time.Time) error {
	if err := validateFinish(status, at); err != nil {
		return err
	}
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		ob, rec, err := writable(tx, ref)
		if err != nil {
			return err
		}
		if err := interruptRunning(ob.Bucket(bucketSteps)); err != nil {
			return err
		}
		rec.Status, rec.Summary, rec.Finished = status, summary, at
		if err := putJSON(ob, keyOp, rec); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		key, err := parseID(ref.ID)
		if err != nil {
			return err
		}
		if string(meta.Get(keyUnfinished)) == string(key) {
			if err := meta.Delete(keyUnfinished); err != nil {
				return err
			}
		}
		if unf := tx.Bucket(bucketUnfinished); unf != nil {
			return unf.Delete(key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish operation %s: %w", ref.ID, err)
	}
	return nil
}

// Operation implements Journal.
func (b *Bolt) Operation(ctx context.Context, id string) (Operation, error) {
	var out Operation
	err := b.view(ctx, func(tx *bbolt.Tx) error {
		key, err := parseID(id)
		if err != nil {
			return err
		}
		out, err = loadOp(tx, key)
		return err
	})
	if err != nil {
		return Operation{}, fmt.Errorf("operation %s: %w", id, err)
	}
	return out, nil
}

// Operations implements Journal.
func (b *Bolt) Operations(ctx context.Context, limit int) ([]Operation, error) {
	var out []Operation
	err := b.view(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketOps).Cursor()
		for k, _ := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Prev() {
			op, err := loadOp(tx, k)
			if err != nil {
				return err
			}
			out = append(out, op)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	return out, nil
}

// SetPlacement implements Journal.
func (b *Bolt) SetPlacement(ctx context.Context, ref Ref, service, provider string, at time.Time) error {
	if err := validatePlacement(service, provider, at); err != nil {
		return err
	}
	err := b.update(ctx, func(tx *bbolt.Tx) error {
		if _, _, err := writable(tx, ref); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketPlacement), []byte(service), placementRecord{Provider: provider, OpID: ref.ID, Since: at})
	})
	if err != nil {
		return fmt.Errorf("set placement of %s: %w", service, err)
	}
	return nil
}

// Placement implements Journal.
func (b *Bolt) Placement(ctx context.Context) (map[string]Placement, error) {
	out := map[string]Placement{}
	err := b.view(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketPlacement).ForEach(func(k, v []byte) error {
			var p placementRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return damaged("the placement of %s does not decode: %v", k, err)
			}
			out[string(k)] = Placement{Service: string(k), Provider: p.Provider, OpID: p.OpID, Since: p.Since}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return out, nil
}

// writable returns the operation's bucket and header if ref may write to it.
func writable(tx *bbolt.Tx, ref Ref) (*bbolt.Bucket, opRecord, error) {
	key, err := parseID(ref.ID)
	if err != nil {
		return nil, opRecord{}, err
	}
	ob := tx.Bucket(bucketOps).Bucket(key)
	if ob == nil {
		return nil, opRecord{}, ErrNotFound
	}
	var rec opRecord
	if err := getJSON(ob, keyOp, &rec); err != nil {
		return nil, opRecord{}, err
	}
	if err := checkFence(ref, rec.Fence, rec.Status); err != nil {
		return nil, opRecord{}, err
	}
	return ob, rec, nil
}

func loadOp(tx *bbolt.Tx, key []byte) (Operation, error) {
	ob := tx.Bucket(bucketOps).Bucket(key)
	if ob == nil {
		return Operation{}, ErrNotFound
	}
	var rec opRecord
	if err := getJSON(ob, keyOp, &rec); err != nil {
		return Operation{}, fmt.Errorf("operation %s: %w", formatID(binary.BigEndian.Uint64(key)), err)
	}
	var steps []Step
	err := forEachStep(ob.Bucket(bucketSteps), func(_ []byte, s *stepRecord) (bool, error) {
		steps = append(steps, Step(*s))
		return false, nil
	})
	if err != nil {
		return Operation{}, fmt.Errorf("operation %s: %w", formatID(binary.BigEndian.Uint64(key)), err)
	}
	return toOperation(formatID(binary.BigEndian.Uint64(key)), rec, steps), nil
}

func toOperation(id string, r opRecord, steps []Step) Operation {
	return Operation{
		ID: id, Kind: r.Kind, Service: r.Service, Services: r.Services, From: r.From, To: r.To, Plan: r.Plan, Owner: r.Owner,
		Status: r.Status, Fence: r.Fence, Started: r.Started, Finished: r.Finished, Resumed: r.Resumed,
		Summary: r.Summary, Steps: steps,
	}
}

var errNoSteps = damaged("the operation has no steps bucket")

// forEachStep decodes every step in order; when fn reports a change, the
// step is written back.
func forEachStep(steps *bbolt.Bucket, fn func(k []byte, s *stepRecord) (changed bool, err error)) error {
	if steps == nil {
		return errNoSteps
	}
	type change struct {
		k []byte
		s stepRecord
	}
	var changes []change // bbolt forbids writes while a cursor walks
	c := steps.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var s stepRecord
		if err := json.Unmarshal(v, &s); err != nil {
			return damaged("step record %s does not decode: %v", recordKey(k), err)
		}
		changed, err := fn(k, &s)
		if err != nil {
			return err
		}
		if changed {
			changes = append(changes, change{append([]byte(nil), k...), s})
		}
	}
	for _, ch := range changes {
		if err := putJSON(steps, ch.k, ch.s); err != nil {
			return err
		}
	}
	return nil
}

func interruptRunning(steps *bbolt.Bucket) error {
	return forEachStep(steps, func(_ []byte, s *stepRecord) (bool, error) {
		if s.Status != StepRunning {
			return false, nil
		}
		s.Status = StepInterrupted
		return true, nil
	})
}

func appendStep(steps *bbolt.Bucket, s stepRecord) error {
	n, err := steps.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(steps, u64(n), s)
}

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getJSON(b *bbolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return fmt.Errorf("%w: record %q missing", ErrNotFound, key)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return damaged("record %q does not decode: %v", key, err)
	}
	return nil
}
