package daemon

import (
	"context"
	"fmt"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// movedAway says whether every service a lowering for provider covered
// now runs elsewhere (or is gone from the configuration), with a line
// for each. The failover's cutover wrote their records with the service's
// own TTL, so nothing of provider's is left at the emergency TTL.
func movedAway(services []string, placed map[string]string, provider string, known func(string) bool) (bool, []string) {
	if len(services) == 0 {
		return false, nil
	}
	var where []string
	for _, s := range services {
		switch {
		case !known(s):
			where = append(where, fmt.Sprintf("service %s is no longer in the configuration", s))
		case placed[s] == "" || placed[s] == provider:
			return false, nil
		default:
			where = append(where, fmt.Sprintf("service %s is now at %s: its records are the failover's, with its own TTL", s, placed[s]))
		}
	}
	return true, where
}

// endMovedTTL ends the lowering of a provider that is not healthy once a
// failover has moved every service it lowered. Waiting for its recovery
// would wait for ever (no check runs where no service is placed), and
// status would go on listing records the cutover has since rewritten.
func (d *Daemon) endMovedTTL(ctx context.Context, eng *engine.Engine, provider string, st ttlState) ttlState {
	placed, err := eng.PlacedNow(ctx)
	if err != nil {
		d.log.Debug("pre-emptive TTL: cannot read placement; next round", "err", err)
		return st
	}
	moved, where := movedAway(st.Services, placed, provider, func(s string) bool { return eng.Cfg.Service(s) != nil })
	if !moved {
		return st
	}
	if st.journaled || st.failing {
		// ttl_restored, so a restarted daemon does not read the lowering
		// back from the journal.
		d.record(ctx, decision{Action: "ttl_restored", Providers: []string{provider}, Services: st.Services, Evidence: where,
			Summary: fmt.Sprintf("%s's services have moved: the failover wrote their records with their own TTL, so none of %s's records is left at the emergency TTL", provider, provider)})
	}
	return ttlState{}
}
