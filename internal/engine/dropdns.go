package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// checkDropDNS refuses a --drop-dns name that is neither a dns block of the
// configuration nor a DNS provider an unfinished operation waits on: a typo
// would otherwise be journaled as given up while the real provider still
// holds the operation.
func (e *Engine) checkDropDNS(dropDNS []string, ops []journal.Operation) error {
	var known []string
	for _, d := range e.Cfg.DNS {
		known = append(known, d.Name)
	}
	for _, op := range ops {
		for _, d := range executor.PendingDNS(op) {
			if !slices.Contains(known, d) {
				known = append(known, d)
			}
		}
	}
	for _, name := range dropDNS {
		if !slices.Contains(known, name) {
			return fmt.Errorf("%w: --drop-dns %q: no dns block of that name, and no unfinished operation waits on it (DNS providers: %s)", ErrInvalidRequest, name, strings.Join(known, ", "))
		}
	}
	return nil
}
