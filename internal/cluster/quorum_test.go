package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func snap(states ...health.State) health.Snapshot {
	names := []string{"alpha", "bravo"}
	var s health.Snapshot
	for i, st := range states {
		s.Providers = append(s.Providers, health.ProviderStatus{Name: names[i], State: st, Reason: "own " + string(st), Since: now.Add(-time.Minute)})
	}
	return s
}

func view(node string, age time.Duration, states ...health.State) View {
	return ViewOf(node, "", snap(states...), now.Add(-age))
}

const (
	up   = health.StateHealthy
	down = health.StateDown
	acct = health.StateAccountLost
	deg  = health.StateDegraded
)

func TestMerge(t *testing.T) {
	fresh := time.Second
	for _, tc := range []struct {
		name   string
		own    health.Snapshot
		views  []View
		quorum int
		// want is alpha's merged state; need and lost its agreement.
		want health.State
		need int
		lost int
	}{
		{"alone, sees it down: a majority of one", snap(down, up), nil, 0, down, 1, 1},
		{"one of three sees it down", snap(down, up), []View{view("n2", fresh, up, up), view("n3", fresh, up, up)}, 0, deg, 2, 1},
		{"two of three see it down", snap(down, up), []View{view("n2", fresh, down, up), view("n3", fresh, up, up)}, 0, down, 2, 2},
		{"two others see it down, this node does not", snap(up, up), []View{view("n2", fresh, down, up), view("n3", fresh, down, up)}, 0, down, 2, 2},
		{"account lost at two of three", snap(acct, up), []View{view("n2", fresh, acct, up), view("n3", fresh, up, up)}, 0, acct, 2, 2},
		{"mixed down and account lost: down", snap(acct, up), []View{view("n2", fresh, down, up), view("n3", fresh, up, up)}, 0, down, 2, 2},
		{"a stale view does not count", snap(down, up), []View{view("n2", time.Minute, down, up), view("n3", fresh, up, up)}, 0, deg, 2, 1},
		{"stale views leave this node alone: majority of one", snap(down, up), []View{view("n2", time.Minute, up, up)}, 0, down, 1, 1},
		{"node_quorum 3 of three not reached", snap(down, up), []View{view("n2", fresh, down, up), view("n3", fresh, up, up)}, 3, deg, 3, 2},
		{"node_quorum 2 with one live node", snap(down, up), nil, 2, deg, 2, 1},
		{"four nodes, two see it: no majority", snap(down, up), []View{view("n2", fresh, down, up), view("n3", fresh, up, up), view("n4", fresh, up, up)}, 0, deg, 3, 2},
		{"this node's published view is replaced by its own", snap(up, up), []View{view("n1", fresh, down, up), view("n2", fresh, down, up), view("n3", fresh, up, up)}, 0, up, 2, 1},
		{"healthy everywhere", snap(up, up), []View{view("n2", fresh, up, up)}, 0, up, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, agr := Merge("n1", tc.own, tc.views, tc.quorum, now, 10*time.Second)
			a := got.Providers[0]
			if a.State != tc.want {
				t.Errorf("alpha = %s (%s), want %s", a.State, a.Reason, tc.want)
			}
			if agr[0].Need != tc.need || len(agr[0].Lost) != tc.lost || agr[0].Reached != (tc.lost >= tc.need) {
				t.Errorf("agreement = %+v, want need %d, %d lost", agr[0], tc.need, tc.lost)
			}
			if b := got.Providers[1]; b.State != up {
				t.Errorf("bravo = %s, want it untouched", b.State)
			}
			if tc.want != up && !strings.Contains(a.Reason, "needed") {
				t.Errorf("reason %q does not say how many nodes were needed", a.Reason)
			}
			if tc.own.Providers[0].State != snap(tc.own.Providers[0].State).Providers[0].State || tc.own.Providers[0].Reason != "own "+string(tc.own.Providers[0].State) {
				t.Errorf("Merge changed its input")
			}
		})
	}
}

func TestNeeded(t *testing.T) {
	for _, tc := range []struct{ quorum, live, want int }{
		{0, 1, 1}, {0, 2, 2}, {0, 3, 2}, {0, 4, 3}, {0, 5, 3}, {2, 5, 2}, {4, 3, 4},
	} {
		if got := Needed(tc.quorum, tc.live); got != tc.want {
			t.Errorf("Needed(%d, %d) = %d, want %d", tc.quorum, tc.live, got, tc.want)
		}
	}
}
