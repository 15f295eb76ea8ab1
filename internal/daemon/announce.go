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
	var send bool
	ev.Event, ev.OK, send = decisionEvent(dec.Action)
	if !send {
		return
	}
	if !ev.OK && ev.Event == notify.EventDecisionActed {
		ev.Error = dec.Summary
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

// decisionEvent maps a decision's action to the event it is announced as,
// whether that says it went well, and whether it is announced at all.
func decisionEvent(action string) (event string, ok, send bool) {
	switch action {
	case "none", "reload_refused":
		return "", false, false
	case "held_back", "drill_skipped":
		return notify.EventDecisionHeldBack, false, true
	case "failed", "dns_sync_failed", "ttl_failed", "resume_failed":
		return notify.EventDecisionActed, false, true
	}
	// failover, resumed, drill_aborted, redelegated, dns_synced,
	// ttl_lowered, ttl_restored
	return notify.EventDecisionActed, true, true
}
