package main

import (
	"fmt"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"io"
	"strings"
	"text/tabwriter"
)

// writeCluster prints the lifeboat nodes as the answering node sees them:
// who leads, each node's view of each provider, and how far each loss is
// from the quorum.
func writeCluster(w io.Writer, c *wire.ClusterStatus) {
	if c == nil {
		return
	}
	standing := "follows (operations are forwarded to the leader)"
	switch {
	case !c.Connected:
		standing = "is CUT OFF from etcd: it checks and reports but takes no action"
	case c.Leading:
		standing = "leads (it alone fails over and runs drills)"
	}
	fmt.Fprintf(w, "Node %s %s; leader: %s.\n", c.Node, standing, orDash(c.Leader))
	if c.Error != "" {
		fmt.Fprintf(w, "  %s\n", c.Error)
	}
	if c.Alone != "" {
		fmt.Fprintf(w, "  NOTE: %s.\n", c.Alone)
	}
	if len(c.Nodes) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"NODE"}
	for _, a := range c.Agreement {
		head = append(head, strings.ToUpper(a.Provider))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, n := range c.Nodes {
		row := []string{n.Node}
		if n.Node == c.Leader {
			row[0] += " (leader)"
		}
		for _, a := range c.Agreement {
			row = append(row, orDash(string(n.Providers[a.Provider])))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	for _, a := range c.Agreement {
		if len(a.Lost) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s.\n", a)
	}
}
