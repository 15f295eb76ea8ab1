package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
)

// announceDecision sends a journaled decision to the notify blocks that
// take "decision" events. "Nothing to do" is journaled but not sent.
func (d *Daemon) announceDecision(dec decision) {
	ev := notify.Event{Category: config.EventDecision, At: time.Now(), Summary: dec.Summary,
		Service: strings.Join(dec.Services, ","), Provider: strings.Join(dec.Providers, ","), Operation: dec.Operation, Details: dec}
	switch dec.Action {
	case "none":
		return
	case "held_back", "drill_skipped":
		ev.Event = notify.EventDecisionHeldBack
	case "failed":
		ev.Event, ev.Error = notify.EventDecisionActed, dec.Summary
	default: // failover, resumed, drill_aborted
		ev.Event, ev.OK = notify.EventDecisionActed, true
	}
	eng, _ := d.current()
	eng.Announce(ev)
}

// announceTransition sends a provider's state change.
func (d *Daemon) announceTransition(tr health.Transition) {
	eng, _ := d.current()
	eng.Announce(notify.Event{
		Event: notify.EventProviderState, Category: config.EventProviderState, At: tr.At,
		OK:       tr.To == health.StateHealthy,
		Summary:  fmt.Sprintf("%s is %s (was %s): %s", tr.Provider, tr.To, tr.From, tr.Reason),
		Provider: tr.Provider, Details: tr,
	})
}
