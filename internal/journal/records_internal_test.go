package journal

import (
	"path/filepath"
	"testing"
)

// Both backends keep DefaultMaxRecordsPerKind records of a kind unless
// told otherwise (the conformance suite runs Bolt with a small bound, as
// thousands of fsyncs would be slow).
func TestDefaultRecordBound(t *testing.T) {
	b, err := OpenBolt(filepath.Join(t.TempDir(), "lifeboat.db"), BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.maxRecords != DefaultMaxRecordsPerKind {
		t.Errorf("Bolt keeps %d records of a kind, want %d", b.maxRecords, DefaultMaxRecordsPerKind)
	}
	if m := NewMemory(); m.data.log.max != DefaultMaxRecordsPerKind {
		t.Errorf("Memory keeps %d records of a kind, want %d", m.data.log.max, DefaultMaxRecordsPerKind)
	}
	if m := NewMemoryWith(MemoryOptions{MaxRecordsPerKind: -1}); m.data.log.max != DefaultMaxRecordsPerKind {
		t.Errorf("Memory with a negative bound keeps %d records of a kind, want %d", m.data.log.max, DefaultMaxRecordsPerKind)
	}
}
