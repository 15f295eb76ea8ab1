package daemon

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/notify"
)

func TestDecisionEvent(t *testing.T) {
	cases := []struct {
		action   string
		event    string
		ok, send bool
	}{
		{"none", "", false, false},
		{"held_back", notify.EventDecisionHeldBack, false, true},
		{"failed", notify.EventDecisionActed, false, true},
		{"dns_sync_failed", notify.EventDecisionActed, false, true},
		{"ttl_failed", notify.EventDecisionActed, false, true},
		{"failover", notify.EventDecisionActed, true, true},
		{"redelegated", notify.EventDecisionActed, true, true},
		{"ttl_lowered", notify.EventDecisionActed, true, true},
	}
	for _, tc := range cases {
		event, ok, send := decisionEvent(tc.action)
		if event != tc.event || ok != tc.ok || send != tc.send {
			t.Errorf("%s: %q ok=%v send=%v, want %q ok=%v send=%v", tc.action, event, ok, send, tc.event, tc.ok, tc.send)
		}
	}
}
