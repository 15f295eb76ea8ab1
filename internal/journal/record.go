package journal

import (
	"encoding/json"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// RecordKind says what a Record is.
type RecordKind string

const (
	RecordDecision RecordKind = "decision" // the daemon acted, or held back, and why
	RecordHold     RecordKind = "hold"     // the hold switch was turned on or off
	RecordDrill    RecordKind = "drill"    // a drill's report
)

// DefaultMaxRecordsPerKind is how many records of each kind a journal keeps
// unless told otherwise: the oldest of a kind go when a newer one is
// appended, so a daemon running for years does not grow the journal
// without bound.
const DefaultMaxRecordsPerKind = config.DefaultEtcdMaxRecords

// maxRecordKindLen bounds a kind's length: a kind names an index in the
// file, and is meant to be a short word.
const maxRecordKindLen = 64

// Record is one entry of the journal's event log.
type Record struct {
	Seq     uint64          `json:"seq"` // assigned by Append; increases with every record, never repeats
	Kind    RecordKind      `json:"kind"`
	At      time.Time       `json:"at"`
	Service string          `json:"service,omitempty"`
	OpID    string          `json:"op_id,omitempty"`
	Summary string          `json:"summary"`
	Data    json.RawMessage `json:"data,omitempty"` // kind-specific JSON document
}
