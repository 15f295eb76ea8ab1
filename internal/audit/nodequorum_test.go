package audit_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

// With several nodes over etcd, a node_quorum that lets one node declare
// a provider lost on its own view is said, with the fix.
func TestNodeQuorum(t *testing.T) {
	etcd := func(quorum string) string {
		pol := "policy {\n"
		if quorum != "" {
			pol += "  node_quorum = " + quorum + "\n"
		}
		return patch(t, "state {\n", "state {\n  etcd {\n    endpoints = [\"https://127.0.0.1:2379\"]\n  }\n", "policy {\n", pol)
	}
	runCases(t, audit.CheckNodeQuorum, []checkCase{
		{name: "no cluster"},
		{name: "the default quorum", src: etcd(""), want: map[string]audit.Severity{"node-quorum": audit.Low},
			evidence: map[string][]string{"node-quorum": {"node_quorum is not set", "which is 1 once only one node is live", "set policy.node_quorum = 2"}}},
		{name: "node_quorum 1", src: etcd("1"), want: map[string]audit.Severity{"node-quorum": audit.Low},
			evidence: map[string][]string{"node-quorum": {"node_quorum is 1"}}},
		{name: "node_quorum 2", src: etcd("2")},
	})
}
