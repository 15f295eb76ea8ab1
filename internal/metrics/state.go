package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lifeboat-dev/lifeboat/health"
)

// states are every state a provider can be in; each provider has one
// series per state so an alert can match state="down" without knowing the
// others.
var states = [...]health.State{health.StateUnknown, health.StateHealthy, health.StateDegraded, health.StateDown, health.StateAccountLost}

var (
	providerStateDesc = prometheus.NewDesc(namespace+"_provider_state",
		"1 for the hosting provider's current health state, 0 for the others.", []string{"provider", "state"}, nil)
	dnsStateDesc = prometheus.NewDesc(namespace+"_dns_provider_state",
		"1 for the DNS provider's current state, 0 for the others.", []string{"dns", "state"}, nil)
)

// knownState maps a state outside the fixed set to unknown, so a
// surprising value never creates a new series.
func knownState(s string) health.State {
	for _, st := range states {
		if string(st) == s {
			return st
		}
	}
	return health.StateUnknown
}

func collectStates(ch chan<- prometheus.Metric, desc *prometheus.Desc, name string, current health.State) {
	for _, st := range states {
		v := 0.0
		if st == current {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, name, string(st))
	}
}

// providerCollector reads the monitor's snapshot when scraped.
type providerCollector struct{ src Source }

func (c providerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- providerStateDesc }

func (c providerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.src.Snapshot().Providers {
		collectStates(ch, providerStateDesc, p.Name, knownState(string(p.State)))
	}
}

// SetDNSState records a DNS provider's state (unknown, healthy, degraded,
// down, account_lost; anything else counts as unknown).
func (m *Metrics) SetDNSState(name, state string) {
	m.dnsMu.Lock()
	defer m.dnsMu.Unlock()
	m.dnsSeen[name] = string(knownState(state))
}

type dnsCollector struct{ m *Metrics }

func (c dnsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- dnsStateDesc }

func (c dnsCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.dnsMu.Lock()
	defer c.m.dnsMu.Unlock()
	for name, st := range c.m.dnsSeen {
		collectStates(ch, dnsStateDesc, name, health.State(st))
	}
}
