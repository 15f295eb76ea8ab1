package audit

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report for a pull request or a wiki: a table
// of the findings, then a section per finding with its evidence and fix.
func WriteMarkdown(w io.Writer, r Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# lifeboat audit\n\n%s.\n", summary(r))
	if len(r.Findings) > 0 {
		fmt.Fprint(b, "\n| severity | finding | id |\n|---|---|---|\n")
		for _, f := range r.Findings {
			fmt.Fprintf(b, "| %s | %s | `%s` |\n", f.Severity, escape(f.Title), f.ID)
		}
		for _, f := range r.Findings {
			fmt.Fprintf(b, "\n## %s: %s\n\n`%s` (%s)\n\n", f.Severity, escape(f.Title), f.ID, f.Check)
			for _, e := range f.Evidence {
				fmt.Fprintf(b, "- %s\n", escape(e))
			}
			fmt.Fprintf(b, "\n**Fix:** %s\n", escape(f.Fix))
		}
	}
	if len(r.Unchecked) > 0 {
		fmt.Fprint(b, "\n## Not checked\n\n| check | subject | reason |\n|---|---|---|\n")
		for _, u := range r.Unchecked {
			fmt.Fprintf(b, "| %s | %s | %s |\n", escape(u.Check), escape(u.Subject), escape(u.Reason))
		}
	}
	return b.Flush()
}

// escape keeps text from being read as markup, in a table cell too (the
// pipe): a name such as "*.example.org" or "state_vendor" shows as written.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", "[", `\[`, "]", `\]`, "|", `\|`, "\n", " ")

func escape(s string) string { return mdEscaper.Replace(s) }
