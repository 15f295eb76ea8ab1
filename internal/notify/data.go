package notify

import (
	"fmt"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// DataStaleEvent is the data.stale event for one row that turned stale or
// of unknown age (wire.StaleTransitions picks them, once per transition).
// Its details are the row itself: service, data block, provider, kind,
// state, age, rpo and reason. The caller redacts the row's Reason first:
// a driver's error may quote a DSN.
func DataStaleEvent(d wire.DataStatus) Event {
	what := fmt.Sprintf("%s's data %s at %s", d.Service, d.Data, d.Provider)
	var s string
	switch {
	case d.State == wire.DataStale && d.AgeKnown && d.RPOSeconds > 0:
		s = fmt.Sprintf("%s is stale: %s old, rpo %s", what, wire.FormatAge(d.AgeSeconds), wire.FormatAge(d.RPOSeconds))
	case d.State == wire.DataStale && d.AgeKnown:
		s = fmt.Sprintf("%s is stale: %s old", what, wire.FormatAge(d.AgeSeconds))
	case d.State == wire.DataStale:
		s = what + " is stale"
	default:
		s = what + " is of unknown age"
	}
	if d.Reason != "" {
		s += ": " + d.Reason
	}
	return Event{
		Event: EventDataStale, Category: config.EventData, At: d.MeasuredAt, OK: false,
		Summary: s, Service: d.Service, Provider: d.Provider, Error: d.Reason, Details: d,
	}
}
