package audit

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for a terminal: each finding with its
// evidence and fix, most severe first, then what could not be checked and
// a count.
func WriteText(w io.Writer, r Report) error {
	b := bufio.NewWriter(w)
	for _, f := range r.Findings {
		fmt.Fprintf(b, "%-8s %s\n", strings.ToUpper(f.Severity.String()), f.ID)
		fmt.Fprintf(b, "  %s\n", f.Title)
		for _, e := range f.Evidence {
			fmt.Fprintf(b, "    - %s\n", e)
		}
		fmt.Fprintf(b, "  fix: %s\n\n", f.Fix)
	}
	if len(r.Unchecked) > 0 {
		fmt.Fprintln(b, "not checked:")
		for _, u := range r.Unchecked {
			fmt.Fprintf(b, "  - %s, %s: %s\n", u.Check, u.Subject, u.Reason)
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b, summary(r))
	return b.Flush()
}

// summary is the last line: "3 findings (1 critical, 2 high); 1 check not made".
func summary(r Report) string {
	var s string
	switch len(r.Findings) {
	case 0:
		s = "no findings"
	case 1:
		s = "1 finding"
	default:
		s = fmt.Sprintf("%d findings", len(r.Findings))
	}
	var counts []string
	for sev := Critical; sev >= Low; sev-- {
		n := 0
		for _, f := range r.Findings {
			if f.Severity == sev {
				n++
			}
		}
		if n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	if len(counts) > 0 {
		s += " (" + strings.Join(counts, ", ") + ")"
	}
	switch n := len(r.Unchecked); n {
	case 0:
	case 1:
		s += "; 1 check not made"
	default:
		s += fmt.Sprintf("; %d checks not made", n)
	}
	return s
}
