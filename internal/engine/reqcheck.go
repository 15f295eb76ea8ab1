package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
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

// checkRequest answers a request with an unknown name (or a flag the kind
// does not take) at once: before resuming anything, and before the rounds
// of checks that confirm a loss, which an operator in a hurry would
// otherwise wait through to learn of a typo.
func (e *Engine) checkRequest(req wire.Request) error {
	preq := planner.Request{Kind: req.Kind, Service: req.Service, From: req.From, To: req.To, ZonesOnly: req.ZonesOnly, AcceptDataLoss: req.AcceptDataLoss}
	if err := planner.CheckRequest(e.Cfg, preq); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	return nil
}
