package health

import (
	"sync"
	"time"
)

// Monitor holds the state machines of every provider and the latest
// results; it is safe for concurrent use. The scheduler feeds it; status
// and the daemon read Snapshots from it.
type Monitor struct {
	mu       sync.Mutex
	policy   Policy
	order    []string
	machines map[string]*Machine
	latest   map[string][]Result
	checked  map[string]time.Time
	// fault is the last local fault a probe met, and when.
	fault   string
	faultAt time.Time
}

// NewMonitor watches the named providers, in this order.
func NewMonitor(providers []string, p Policy) *Monitor {
	m := &Monitor{
		policy:   p,
		order:    append([]string(nil), providers...),
		machines: map[string]*Machine{},
		latest:   map[string][]Result{},
		checked:  map[string]time.Time{},
	}
	for _, name := range providers {
		m.machines[name] = NewMachine(name, p)
	}
	return m
}

// Watch starts watching the named providers it does not watch yet,
// after the others, in this order. Those it watches keep their state.
func (m *Monitor) Watch(providers ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range providers {
		if m.machines[name] == nil {
			m.order = append(m.order, name)
			m.machines[name] = NewMachine(name, m.policy)
		}
	}
}

// Observe records one round of a provider's results taken at at and
// returns the transition if the state changed. results is copied.
func (m *Monitor) Observe(provider string, at time.Time, results []Result) (Transition, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.machines[provider]
	if mc == nil {
		return Transition{}, false
	}
	m.latest[provider] = append(m.latest[provider][:0], results...)
	m.checked[provider] = at
	for i := range results {
		if results[i].Unknown {
			m.fault, m.faultAt = results[i].Reason, at
		}
	}
	return mc.Observe(at, results)
}

// LocalFault is the last probe result that failed for a reason on this
// node ("local fault: ..."), and the start of its round; zero when none.
func (m *Monitor) LocalFault() (string, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fault, m.faultAt
}

// Snapshot is every provider's state and latest results at one moment.
type Snapshot struct {
	Providers []ProviderStatus `json:"providers"`
}

// ProviderStatus is one provider in a Snapshot.
type ProviderStatus struct {
	Name  string    `json:"name"`
	State State     `json:"state"`
	Since time.Time `json:"since"`
	// Reason explains the state in words.
	Reason string `json:"reason"`
	// Rounds counts the rounds observed so far.
	Rounds      int       `json:"rounds"`
	LastChecked time.Time `json:"last_checked"`
	Results     []Result  `json:"results"`
	// Failing is set while the provider's last round failed (by quorum,
	// or with its account reported lost) but not yet for enough rounds
	// to call it down or account_lost: a loss still to be confirmed.
	Failing bool `json:"failing,omitempty"`
}

// Snapshot copies the current view.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Snapshot{Providers: make([]ProviderStatus, 0, len(m.order))}
	for _, name := range m.order {
		mc := m.machines[name]
		reason := mc.Reason()
		if mc.Rounds() == 0 && len(m.latest[name]) == 0 {
			reason = "no checks ran"
		}
		s.Providers = append(s.Providers, ProviderStatus{
			Name: name, State: mc.State(), Since: mc.Since(), Reason: reason, Rounds: mc.Rounds(),
			LastChecked: m.checked[name],
			Results:     append([]Result(nil), m.latest[name]...),
			Failing:     mc.Failing(),
		})
	}
	return s
}

// Provider returns the named provider's status, or nil.
func (s Snapshot) Provider(name string) *ProviderStatus {
	for i := range s.Providers {
		if s.Providers[i].Name == name {
			return &s.Providers[i]
		}
	}
	return nil
}

// States maps each provider to its state, as the planner reads it.
func (s Snapshot) States() map[string]State {
	out := make(map[string]State, len(s.Providers))
	for _, p := range s.Providers {
		out[p.Name] = p.State
	}
	return out
}
