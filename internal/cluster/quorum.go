package cluster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

// View is what one node publishes every interval: its own checks' verdict
// on each provider.
type View struct {
	Node      string         `json:"node"`
	Advertise string         `json:"advertise,omitempty"`
	At        time.Time      `json:"at"`
	Providers []ProviderView `json:"providers"`
}

// ProviderView is one provider as one node sees it.
type ProviderView struct {
	Name   string       `json:"name"`
	State  health.State `json:"state"`
	Reason string       `json:"reason,omitempty"`
}

// ViewOf is the view a node publishes from its monitor's snapshot.
func ViewOf(node, advertise string, snap health.Snapshot, at time.Time) View {
	v := View{Node: node, Advertise: advertise, At: at.UTC()}
	for _, p := range snap.Providers {
		v.Providers = append(v.Providers, ProviderView{Name: p.Name, State: p.State, Reason: p.Reason})
	}
	return v
}

// Agreement is how the live nodes see one provider.
type Agreement struct {
	Provider string `json:"provider"`
	// Lost lists the nodes that see it down or account_lost; Seen maps
	// every live node to its state.
	Lost []string                `json:"lost,omitempty"`
	Seen map[string]health.State `json:"seen"`
	// Need is how many nodes must agree; Reached says they do.
	Need    int  `json:"need"`
	Reached bool `json:"reached"`
}

// Needed is the number of nodes that must see a provider lost: quorum
// when it is set (> 0), else a majority of the live nodes.
func Needed(quorum, live int) int {
	if quorum > 0 {
		return quorum
	}
	return live/2 + 1
}

func lostState(s health.State) bool {
	return s == health.StateDown || s == health.StateAccountLost
}

// Merge is the leader's view: own (this node's monitor) with each
// provider's lost state kept only where Needed(quorum, live) live nodes
// agree. A view older than maxAge is not live; self's published view is
// replaced by own, which is fresher. The rule:
//
//   - enough nodes see it lost: the provider is account_lost when enough
//     of them see account_lost, else down, whatever this node sees;
//   - too few: a provider this node sees lost is degraded (suspect, never
//     a target, never failed over from); any other state is kept.
//
// Merge is pure: the same inputs give the same output.
func Merge(self string, own health.Snapshot, views []View, quorum int, now time.Time, maxAge time.Duration) (health.Snapshot, []Agreement) {
	live := map[string]View{self: ViewOf(self, "", own, now)}
	for _, v := range views {
		if v.Node == self || now.Sub(v.At) > maxAge {
			continue
		}
		live[v.Node] = v
	}
	names := make([]string, 0, len(live))
	for n := range live {
		names = append(names, n)
	}
	slices.Sort(names)
	need := Needed(quorum, len(live))

	out := health.Snapshot{Providers: slices.Clone(own.Providers)}
	agreements := make([]Agreement, 0, len(out.Providers))
	for i := range out.Providers {
		p := &out.Providers[i]
		a := Agreement{Provider: p.Name, Seen: map[string]health.State{}, Need: need}
		accountLost := 0
		var reasons []string
		for _, n := range names {
			pv, ok := find(live[n].Providers, p.Name)
			if !ok {
				continue
			}
			a.Seen[n] = pv.State
			if lostState(pv.State) {
				a.Lost = append(a.Lost, n)
				if pv.State == health.StateAccountLost {
					accountLost++
				}
				if pv.Reason != "" && len(reasons) == 0 {
					reasons = append(reasons, pv.Reason)
				}
			}
		}
		a.Reached = len(a.Lost) >= need
		agreements = append(agreements, a)
		tally := fmt.Sprintf("%d of %d nodes (%s), %d needed", len(a.Lost), len(live), strings.Join(a.Lost, ", "), need)
		switch {
		case a.Reached:
			state := health.StateDown
			if accountLost >= need {
				state = health.StateAccountLost
			}
			if p.State != state {
				p.Since = now
			}
			p.State, p.Failing = state, false
			p.Reason = fmt.Sprintf("%s at %s: %s", state, tally, strings.Join(reasons, ""))
		case lostState(p.State):
			p.Reason = fmt.Sprintf("%s here, but lost at only %s: not declared lost (%s)", p.State, tally, p.Reason)
			p.State = health.StateDegraded
		}
	}
	return out, agreements
}

func find(ps []ProviderView, name string) (ProviderView, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return ProviderView{}, false
}
