package wire

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// DoctorResult is how one doctor check came out.
type DoctorResult string

const (
	// DoctorOK: the check passed.
	DoctorOK DoctorResult = "ok"
	// DoctorFail: an emergency would meet this; doctor exits 1.
	DoctorFail DoctorResult = "fail"
	// DoctorNote: not checked, and why (a write that would change
	// something, a notification not asked for); not a failure.
	DoctorNote DoctorResult = "note"
)

// DoctorRow is one check of one part.
type DoctorRow struct {
	// Part names what was checked: "dns ns1", "provider bravo workspace",
	// "check www/http", "data www/db", "notify ops", "state etcd".
	Part   string       `json:"part"`
	Check  string       `json:"check"`
	Result DoctorResult `json:"result"`
	// Detail is what was seen, free of secrets.
	Detail string `json:"detail,omitempty"`
	// Fix says what to do about a failure.
	Fix string `json:"fix,omitempty"`
}

// DoctorReport is `lifeboat doctor`'s document: every row, sorted by
// part then check.
type DoctorReport struct {
	Config   string      `json:"config,omitempty"`
	At       time.Time   `json:"at"`
	OK       bool        `json:"ok"`
	Failures int         `json:"failures"`
	Rows     []DoctorRow `json:"rows"`
}

// doctorCell bounds a table cell; -o json has the full text.
const doctorCell = 400

// WriteDoctor prints the report as a table.
func WriteDoctor(w io.Writer, rep *DoctorReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PART\tCHECK\tRESULT\tWHAT TO DO")
	for _, r := range rep.Rows {
		result := string(r.Result)
		if r.Result == DoctorFail {
			result = "FAIL"
		}
		if r.Detail != "" {
			result += ": " + r.Detail
		}
		fix := r.Fix
		if fix == "" {
			fix = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Part, r.Check, oneLine(result, doctorCell), oneLine(fix, doctorCell))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case rep.Failures == 0:
		_, err := fmt.Fprintln(w, "\nEverything an emergency needs answered.")
		return err
	default:
		_, err := fmt.Fprintf(w, "\n%d check(s) failed.\n", rep.Failures)
		return err
	}
}
