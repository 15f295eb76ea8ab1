package health

import (
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Policy is what the state machine needs from the configuration's policy.
type Policy struct {
	FailAfter    int     // consecutive failed rounds before down; default policy.fail_after's
	RecoverAfter int     // consecutive good rounds before healthy again; default policy.recover_after's
	Quorum       float64 // fraction of a round's results that must fail; default policy.quorum's
}

func (p Policy) withDefaults() Policy {
	if p.FailAfter <= 0 {
		p.FailAfter = config.DefaultFailAfter
	}
	if p.RecoverAfter <= 0 {
		p.RecoverAfter = config.DefaultRecoverAfter
	}
	if p.Quorum <= 0 || p.Quorum > 1 {
		p.Quorum = config.DefaultQuorum
	}
	return p
}

// Transition is a change of a provider's state, with the evidence.
type Transition struct {
	Provider string    `json:"provider"`
	From     State     `json:"from"`
	To       State     `json:"to"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason"`
	// Evidence are the round's results that explain the change: the
	// failures when getting worse, every result when recovering.
	Evidence []Result `json:"evidence"`
}

// Machine is one provider's state machine:
//
//	unknown → healthy ⇄ degraded → down, and account_lost.
//
// A round is one observation: the results of every check of the provider.
// A round fails when at least the quorum fraction of its results failed.
// Down only after FailAfter consecutive failed rounds; account_lost after
// FailAfter consecutive rounds in which the provider API said the account
// is gone; healthy again only after RecoverAfter good rounds. Anything in
// between is degraded. It is pure: no clock, no I/O.
type Machine struct {
	provider string
	policy   Policy
	state    State
	since    time.Time
	reason   string
	rounds   int

	failStreak int // rounds failing the quorum
	lostStreak int // rounds with an account_lost result
	passStreak int // rounds neither failing the quorum nor lost
	okStreak   int // rounds with every result OK
}

// NewMachine starts a provider in the unknown state.
func NewMachine(provider string, p Policy) *Machine {
	return &Machine{provider: provider, policy: p.withDefaults(), state: StateUnknown, reason: "not checked yet"}
}

// State is the current state.
func (m *Machine) State() State { return m.state }

// Since is when the current state was entered (zero while unknown).
func (m *Machine) Since() time.Time { return m.since }

// Reason explains the current state.
func (m *Machine) Reason() string { return m.reason }

// Failing reports whether the last round failed (by quorum, or with the
// account reported lost) while the state is not yet down or account_lost.
func (m *Machine) Failing() bool {
	if m.state == StateDown || m.state == StateAccountLost {
		return false
	}
	return m.failStreak > 0 || m.lostStreak > 0
}

// Rounds counts the rounds observed.
func (m *Machine) Rounds() int { return m.rounds }

// Observe feeds one round's results observed at at. It returns the
// transition when the state changed. A round with no results carries no
// evidence and changes nothing; nor do results of unknown outcome (a local
// fault of this node): they are left out of the round.
func (m *Machine) Observe(at time.Time, results []Result) (Transition, bool) {
	results = known(results)
	if len(results) == 0 {
		return Transition{}, false
	}
	m.rounds++
	failed, total, badResults, lost := countChecks(results)
	roundFailed := float64(failed) >= m.policy.Quorum*float64(total)
	allOK := badResults == 0
	m.failStreak = streak(m.failStreak, roundFailed)
	m.lostStreak = streak(m.lostStreak, lost > 0)
	m.passStreak = streak(m.passStreak, !roundFailed && lost == 0)
	m.okStreak = streak(m.okStreak, allOK)

	// The common case, a healthy provider staying healthy, formats nothing.
	if allOK && m.state == StateHealthy {
		return Transition{}, false
	}
	next, why := m.state, ""
	switch {
	case m.lostStreak >= m.policy.FailAfter:
		next, why = StateAccountLost, fmt.Sprintf("provider API reported the account lost in %d consecutive rounds", m.lostStreak)
	case m.failStreak >= m.policy.FailAfter:
		next, why = StateDown, fmt.Sprintf("%d consecutive rounds with at least %.0f%% of checks failing (now %d/%d)", m.failStreak, m.policy.Quorum*100, failed, total)
	case m.state == StateDown || m.state == StateAccountLost:
		if m.passStreak >= m.policy.RecoverAfter {
			next = StateDegraded
			if allOK {
				next = StateHealthy
			}
			why = fmt.Sprintf("%d consecutive rounds without quorum failure (now %d/%d failing)", m.passStreak, failed, total)
		}
	case allOK && (m.state == StateUnknown || m.state == StateHealthy):
		next, why = StateHealthy, passedText(total)
	case allOK: // degraded: hysteresis before healthy again
		if m.okStreak >= m.policy.RecoverAfter {
			next, why = StateHealthy, fmt.Sprintf("%d consecutive rounds with every check passing", m.okStreak)
		}
	default:
		next, why = StateDegraded, fmt.Sprintf("%d/%d checks failing, %d of %d probes", failed, total, badResults, len(results))
		if roundFailed {
			why += fmt.Sprintf("; failed round %d of %d before down", m.failStreak, m.policy.FailAfter)
		}
		if lost > 0 {
			why += fmt.Sprintf("; account lost reported (%d of %d rounds)", m.lostStreak, m.policy.FailAfter)
		}
	}
	if next == m.state {
		if why != "" {
			m.reason = why
		}
		return Transition{}, false
	}
	t := Transition{Provider: m.provider, From: m.state, To: next, At: at, Reason: why, Evidence: evidence(results, next)}
	m.state, m.since, m.reason = next, at, why
	return t, true
}

// known is results without the Unknown ones (a copy only when there are some).
func known(results []Result) []Result {
	for i := range results {
		if results[i].Unknown {
			out := make([]Result, 0, len(results))
			for _, r := range results {
				if !r.Unknown {
					out = append(out, r)
				}
			}
			return out
		}
	}
	return results
}

// countChecks counts checks, not probes: a check fails in a round only when
// it failed against every host it probed, so one failing host of several
// makes the provider degraded, never down. It also counts failed probes
// and account-lost answers.
func countChecks(results []Result) (failedChecks, checks, failedProbes, lost int) {
	type key struct{ service, check string }
	anyOK := make(map[key]bool, len(results))
	for i := range results {
		r := &results[i]
		k := key{r.Service, r.Check}
		if _, seen := anyOK[k]; !seen {
			anyOK[k] = false
		}
		if r.OK {
			anyOK[k] = true
		} else {
			failedProbes++
		}
		if r.AccountLost {
			lost++
		}
	}
	for _, ok := range anyOK {
		if !ok {
			failedChecks++
		}
	}
	return failedChecks, len(anyOK), failedProbes, lost
}

func passedText(checks int) string {
	if checks == 1 {
		return "the check passed"
	}
	return fmt.Sprintf("all %d checks passed", checks)
}

func streak(n int, cond bool) int {
	if cond {
		return n + 1
	}
	return 0
}

// evidence copies the results that explain a move to state to: the
// failures when it is worse than healthy, everything otherwise.
func evidence(results []Result, to State) []Result {
	var out []Result
	for _, r := range results {
		if to == StateHealthy || !r.OK {
			out = append(out, r)
		}
	}
	return out
}

// String is a one-line account of the transition for logs and notices.
func (t Transition) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s → %s: %s", t.Provider, t.From, t.To, t.Reason)
	for i, r := range t.Evidence {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(t.Evidence)-3)
			break
		}
		fmt.Fprintf(&b, "; %s %s: %s", r.Check, r.Target, r.Reason)
	}
	return b.String()
}
