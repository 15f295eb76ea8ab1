package audit

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as indented JSON; findings and unchecked
// entries are sorted, so equal reports give equal bytes.
func WriteJSON(w io.Writer, r Report) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
