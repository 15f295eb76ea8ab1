package engine

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// The one line an operator reads when nothing moves names the rule of the
// command typed: a failback with nothing to do is not about lost providers.
func TestSettledReasonNamesTheCommandsRule(t *testing.T) {
	pl := Placement{Provider: map[string]string{"www": "alpha"}}
	for _, tc := range []struct {
		kind      planner.Kind
		want, not string
	}{
		{wire.KindManual, "www runs on alpha; no provider is down or account_lost", "first candidate"},
		{wire.KindFailback, "www runs on alpha; every service concerned runs on its first candidate", "down or account_lost"},
	} {
		got := settledReason(planner.Result{}, wire.Request{Kind: tc.kind}, pl)
		if got != tc.want || strings.Contains(got, tc.not) {
			t.Errorf("%s: got %q, want %q", tc.kind, got, tc.want)
		}
	}
}
