package wire

import "encoding/json"

// HistoryDoc is the JSON document of `lifeboat history -o json`.
type HistoryDoc struct {
	Operations []Operation `json:"operations"`
}

// MarshalJSON keeps operations a list, never null.
func (d HistoryDoc) MarshalJSON() ([]byte, error) {
	ops := d.Operations
	if ops == nil {
		ops = []Operation{}
	}
	return json.Marshal(struct {
		Operations []Operation `json:"operations"`
	}{ops})
}

// DecisionsDoc is the JSON document of `lifeboat history --decisions`.
type DecisionsDoc struct {
	Decisions []Record `json:"decisions"`
}

// MarshalJSON keeps decisions a list, never null.
func (d DecisionsDoc) MarshalJSON() ([]byte, error) {
	recs := d.Decisions
	if recs == nil {
		recs = []Record{}
	}
	return json.Marshal(struct {
		Decisions []Record `json:"decisions"`
	}{recs})
}

// DrillsDoc is the JSON document of `lifeboat history --drills -o json`.
type DrillsDoc struct {
	Drills []DrillReport `json:"drills"`
}

// MarshalJSON keeps drills a list, never null.
func (d DrillsDoc) MarshalJSON() ([]byte, error) {
	drills := d.Drills
	if drills == nil {
		drills = []DrillReport{}
	}
	return json.Marshal(struct {
		Drills []DrillReport `json:"drills"`
	}{drills})
}
