package journal

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime/debug"
	"slices"
	"strconv"

	"go.etcd.io/bbolt"
)

// errNewer: the file was written by a newer lifeboat, with a layout this
// one does not know.
var errNewer = errors.New("the journal is newer than this lifeboat")

// knownBuckets are the top-level buckets a journal may hold.
var knownBuckets = [][]byte{bucketMeta, bucketOps, bucketPlacement, bucketUnfinished, bucketRecords, bucketRecordKinds}

// check reads the whole file once when it is opened, so damage is found
// before an operation starts rather than half-way through a failover, and
// confirms the file is a journal this code can read. fresh reports a file
// that holds no buckets at all (just created), to be laid out.
//
// The order matters: tx.Check runs in a goroutine of bbolt's own, where a
// memory fault kills the process, so every page it will read is read first
// here, where a fault is recovered as ErrCorrupt.
func (b *Bolt) check() (fresh bool, err error) {
	defer recoverCorrupt(b.path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	err = b.db.View(func(tx *bbolt.Tx) error {
		fi, err := os.Stat(b.path)
		if err != nil {
			return fmt.Errorf("open journal: %w", err)
		}
		// A page past the end of the file faults when read.
		if fi.Size() < tx.Size() {
			return corrupt(b.path, fmt.Errorf("the file is cut short: %d bytes where the journal needs %d", fi.Size(), tx.Size()))
		}
		if err := touchAll(tx.Cursor(), 0); err != nil {
			return corrupt(b.path, err)
		}
		// Drain every report: bbolt's goroutine keeps reading the
		// transaction until it closes the channel, so returning early
		// would leave it reading a file that is closed and unmapped.
		var first error
		for cerr := range tx.Check() {
			if first == nil {
				first = cerr
			}
		}
		if first != nil {
			return corrupt(b.path, first)
		}
		fresh, err = checkLayout(tx)
		switch {
		case errors.Is(err, errNewer):
			// Not damage: a newer lifeboat wrote it.
			return fmt.Errorf("open journal %s: %w", b.path, err)
		case err != nil:
			return corrupt(b.path, err)
		}
		return nil
	})
	return fresh, err
}

// maxDepth bounds nested buckets: a journal has three levels, and a
// damaged file must not send the walk into endless recursion.
const maxDepth = 8

// touchAll reads every key and value under c, nested buckets included.
func touchAll(c *bbolt.Cursor, depth int) error {
	if depth > maxDepth {
		return errors.New("buckets are nested deeper than a journal's")
	}
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			// The checksum is only a way to read every byte of the value.
			crc32.ChecksumIEEE(v)
			continue
		}
		// nil is a nested bucket, or an empty value.
		if child := c.Bucket().Bucket(k); child != nil {
			if err := touchAll(child.Cursor(), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLayout confirms the top level is a journal of a schema this code
// understands. A file with no buckets at all is fresh; anything else that
// is not a journal (another program's bbolt file, a journal missing a
// bucket) is refused, never laid out anew.
func checkLayout(tx *bbolt.Tx) (fresh bool, err error) {
	var names [][]byte
	err = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if !slices.ContainsFunc(knownBuckets, func(k []byte) bool { return string(k) == string(name) }) {
			return fmt.Errorf("it holds bucket %q, which is not a journal's (another program's file?)", name)
		}
		names = append(names, name)
		return nil
	})
	if err != nil || len(names) == 0 {
		return err == nil, err
	}
	meta := tx.Bucket(bucketMeta)
	if meta == nil || meta.Get(keySchema) == nil {
		return false, errors.New("the schema version is missing")
	}
	n, err := strconv.Atoi(string(meta.Get(keySchema)))
	if err != nil {
		return false, fmt.Errorf("unreadable schema version %q", meta.Get(keySchema))
	}
	if n > schemaVersion {
		return false, fmt.Errorf("%w: schema %d, this lifeboat understands up to %d: upgrade lifeboat", errNewer, n, schemaVersion)
	}
	required := [][]byte{bucketOps, bucketPlacement}
	if n >= 2 {
		// Schema 2 brought the event log; a schema-1 file gets it on its
		// first Append.
		required = append(required, bucketRecords, bucketRecordKinds)
	}
	for _, name := range required {
		if tx.Bucket(name) == nil {
			return false, fmt.Errorf("bucket %s is missing", name)
		}
	}
	for _, key := range [][]byte{keySeq, keyFence} {
		if v := meta.Get(key); v != nil && len(v) != 8 {
			return false, fmt.Errorf("counter %s is %d bytes, not 8", key, len(v))
		}
	}
	return false, nil
}
