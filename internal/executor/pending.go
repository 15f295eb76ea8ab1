package executor

import (
	"slices"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// PendingDNS lists the DNS providers a cutover of op left to retry, in
// any attempt: the names `lifeboat resume --drop-dns` may give up on even
// after their dns block was removed from the configuration.
func PendingDNS(op journal.Operation) []string {
	var out []string
	for _, s := range op.Steps {
		for _, d := range splitList(s.Outputs[outPending]) {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}
