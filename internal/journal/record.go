package journal

import "github.com/lifeboat-dev/lifeboat/internal/config"

// DefaultMaxRecordsPerKind is how many records of each kind a journal keeps
// unless told otherwise: the oldest of a kind go when a newer one is
// appended, so a daemon running for years does not grow the journal
// without bound.
const DefaultMaxRecordsPerKind = config.DefaultEtcdMaxRecords

// maxRecordKindLen bounds a kind's length: a kind names an index in the
// file, and is meant to be a short word.
const maxRecordKindLen = 64
