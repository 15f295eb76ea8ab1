package health

import (
	"strings"
	"testing"
	"time"
)

// round builds one round's results from a pattern: one letter per check,
// '+' passed, '-' failed, 'L' account lost, 'U' unknown (a local fault). A pattern starting with "h:"
// is one check probed against several hosts, a letter per host.
func round(pattern string) []Result {
	hosts := strings.HasPrefix(pattern, "h:")
	pattern = strings.TrimPrefix(pattern, "h:")
	out := make([]Result, len(pattern))
	for i, c := range pattern {
		check, target := string(rune('a'+i)), "host"
		if hosts {
			check, target = "http", string(rune('a'+i))
		}
		out[i] = Result{Check: check, Target: target, OK: c == '+', AccountLost: c == 'L', Unknown: c == 'U', Reason: string(c)}
	}
	return out
}

func TestMachine(t *testing.T) {
	pol := Policy{FailAfter: 3, RecoverAfter: 2, Quorum: 0.5}
	cases := []struct {
		name   string
		rounds []string
		states []State // state after each round
	}{
		{"first good round is healthy", []string{"+++"}, []State{StateHealthy}},
		{"local faults are no evidence: a provider stays healthy through rounds of them",
			[]string{"++", "UU", "UU", "UU", "UU"},
			[]State{StateHealthy, StateHealthy, StateHealthy, StateHealthy, StateHealthy}},
		{"a local fault counts neither for nor against: the passing check keeps it healthy",
			[]string{"++", "+U", "+U", "+U", "+U"},
			[]State{StateHealthy, StateHealthy, StateHealthy, StateHealthy, StateHealthy}},
		{"the known failure still counts beside a local fault",
			[]string{"++", "-U", "-U", "-U"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDown}},
		{"rounds of local faults alone neither confirm nor recover a loss",
			[]string{"+", "-", "U", "-", "U", "-", "U", "+"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDown, StateDown, StateDown}},
		{"one failing host of two is degraded, never down",
			[]string{"h:++", "h:+-", "h:+-", "h:+-", "h:-+", "h:+-"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded}},
		{"a check failing on every host is down after fail_after rounds",
			[]string{"h:++", "h:--", "h:--", "h:--"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDown}},
		{"single failing host is degraded, never down",
			[]string{"+++", "++-", "++-", "++-", "++-", "++-"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded}},
		{"every host stops: down after exactly fail_after rounds",
			[]string{"+++", "---", "---", "---", "---"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDown, StateDown}},
		{"quorum reached counts as failed round",
			[]string{"++++", "+--+", "--++", "-+-+"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDown}},
		{"below quorum resets the failure streak",
			[]string{"+++", "---", "---", "+-+", "---", "---", "---"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDown}},
		{"flapping host alternating every round never goes down",
			[]string{"+", "-", "+", "-", "+", "-", "+", "-", "+", "-", "+", "-"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded,
				StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded}},
		{"flapping two of three hosts never goes down",
			[]string{"---", "+++", "---", "+++", "---", "+++", "---"},
			[]State{StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateDegraded}},
		{"recovery needs recover_after good rounds (hysteresis)",
			[]string{"--", "--", "--", "++", "--", "++", "++", "++"},
			[]State{StateDegraded, StateDegraded, StateDown, StateDown, StateDown, StateDown, StateHealthy, StateHealthy}},
		{"half failing is still a failed round at quorum 0.5",
			[]string{"--", "--", "--", "+-", "+-", "++", "++"},
			[]State{StateDegraded, StateDegraded, StateDown, StateDown, StateDown, StateDown, StateHealthy}},
		{"recovering with one host of three still failing lands in degraded",
			[]string{"---", "---", "---", "+-+", "+-+", "+++"},
			[]State{StateDegraded, StateDegraded, StateDown, StateDown, StateDegraded, StateDegraded}},
		{"degraded back to healthy only after recover_after clean rounds",
			[]string{"+++", "+-+", "+++", "+-+", "+++", "+++"},
			[]State{StateHealthy, StateDegraded, StateDegraded, StateDegraded, StateDegraded, StateHealthy}},
		{"account lost after fail_after rounds, distinct from down",
			[]string{"L++", "L++", "L++", "L++"},
			[]State{StateDegraded, StateDegraded, StateAccountLost, StateAccountLost}},
		{"account lost beats down when both",
			[]string{"L--", "L--", "L--"},
			[]State{StateDegraded, StateDegraded, StateAccountLost}},
		{"account back needs recover_after rounds",
			[]string{"L", "L", "L", "+", "+"},
			[]State{StateDegraded, StateDegraded, StateAccountLost, StateAccountLost, StateHealthy}},
		{"empty rounds change nothing", []string{"", "", ""}, []State{StateUnknown, StateUnknown, StateUnknown}},
		{"unknown to down without ever being healthy",
			[]string{"-", "-", "-"}, []State{StateDegraded, StateDegraded, StateDown}},
	}
	t0 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMachine("aws", pol)
			for i, pat := range tc.rounds {
				at := t0.Add(time.Duration(i) * 5 * time.Second)
				before := m.State()
				tr, changed := m.Observe(at, round(pat))
				if got := m.State(); got != tc.states[i] {
					t.Fatalf("after round %d (%q): state %s, want %s (reason %q)", i+1, pat, got, tc.states[i], m.Reason())
				}
				if changed != (before != m.State()) {
					t.Fatalf("round %d: changed=%v but %s → %s", i+1, changed, before, m.State())
				}
				if changed {
					if tr.From != before || tr.To != m.State() || !tr.At.Equal(at) || tr.Reason == "" || tr.Provider != "aws" {
						t.Fatalf("round %d: transition %+v", i+1, tr)
					}
					if len(tr.Evidence) == 0 {
						t.Fatalf("round %d: transition without evidence", i+1)
					}
					if !m.Since().Equal(at) {
						t.Fatalf("since %v, want %v", m.Since(), at)
					}
				}
			}
		})
	}
}

func TestMachineEvidence(t *testing.T) {
	m := NewMachine("hetzner", Policy{FailAfter: 2, RecoverAfter: 1, Quorum: 0.5})
	m.Observe(time.Unix(0, 0), round("++"))
	m.Observe(time.Unix(5, 0), round("-+"))
	tr, changed := m.Observe(time.Unix(10, 0), round("--"))
	if !changed || tr.To != StateDown {
		t.Fatalf("want down, got %+v", tr)
	}
	if len(tr.Evidence) != 2 || tr.Evidence[0].OK || tr.Evidence[1].OK {
		t.Fatalf("evidence should be the two failures: %+v", tr.Evidence)
	}
	if !strings.Contains(tr.Reason, "2 consecutive rounds") || !strings.Contains(tr.Reason, "2/2") {
		t.Fatalf("reason %q", tr.Reason)
	}
	if s := tr.String(); !strings.Contains(s, "hetzner: degraded → down") {
		t.Fatalf("String() = %q", s)
	}
	tr, changed = m.Observe(time.Unix(15, 0), round("++"))
	if !changed || tr.To != StateHealthy || len(tr.Evidence) != 2 {
		t.Fatalf("recovery: %+v", tr)
	}
}

func TestMachineDefaults(t *testing.T) {
	m := NewMachine("x", Policy{})
	for i := range 2 {
		m.Observe(time.Unix(int64(i), 0), round("-"))
	}
	if m.State() != StateDegraded {
		t.Fatalf("after 2 failed rounds with default fail_after 3: %s", m.State())
	}
	m.Observe(time.Unix(3, 0), round("-"))
	if m.State() != StateDown {
		t.Fatalf("after 3 failed rounds: %s", m.State())
	}
}
