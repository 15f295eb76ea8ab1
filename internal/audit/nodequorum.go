package audit

import (
	"fmt"
)

// CheckNodeQuorum is the check on how many lifeboat nodes must agree.
const CheckNodeQuorum = "node-quorum"

// nodeQuorum finds a cluster of nodes (state.etcd) where one node's view
// may declare a provider lost: node_quorum 1, or the default 0 (a
// majority of the live nodes), which comes down to one once the other
// nodes are gone. That is kept on purpose (a vendor may take two nodes
// with it, and the last must still act), so it is said, not refused.
func nodeQuorum(a *auditor) []Finding {
	if a.cfg.State.Etcd == nil || a.cfg.Policy.NodeQuorum >= 2 {
		return nil
	}
	ev := "policy.node_quorum is 1: every node's own view is enough"
	if a.cfg.Policy.NodeQuorum == 0 {
		ev = "policy.node_quorum is not set (0): a majority of the live nodes, which is 1 once only one node is live"
	}
	return []Finding{{
		ID: CheckNodeQuorum, Check: CheckNodeQuorum, Severity: Low,
		Title: "one lifeboat node may declare a provider lost on its own view",
		Evidence: []string{ev,
			fmt.Sprintf("with state.etcd, a node left alone (the others stopped or cut off) fails over on what its own checks see; `lifeboat status` says so when it happens")},
		Fix: "set policy.node_quorum = 2 if a failover must always be seen by two nodes (then a vendor that takes all but one node with it also stops the failover)",
	}}
}
