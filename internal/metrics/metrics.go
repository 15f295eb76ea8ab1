// Package metrics exposes the daemon's state to Prometheus: provider and
// DNS states, every check's latency and failures, operations and their
// steps, drills, and the scheduler's counters, on a registry of its own
// with the Go and process collectors.
//
// Labels are names from the configuration (provider, service, check, drill)
// or from small fixed sets (check kind, operation kind, result, step kind,
// state): never a target URL or address, which may carry a secret and
// would make the series unbounded.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lifeboat-dev/lifeboat/health"
)

const namespace = "lifeboat"

// Source is what the metrics read at scrape time: the monitor's provider
// states and the scheduler's counters.
type Source interface {
	Snapshot() health.Snapshot
	Stats() health.Stats
}

// Metrics holds lifeboat's collectors and the registry they are served from.
// Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time // read at scrape time; tests replace it

	checks  checkMetrics
	ops     opMetrics
	drills  drillMetrics
	dnsMu   sync.Mutex
	dnsSeen map[string]string // DNS provider name → state

	cluster     clusterMetrics
	clusterOnce sync.Once
	drift       driftMetrics
	driftOnce   sync.Once
	ttl         *prometheus.GaugeVec
	ttlOnce     sync.Once
	dataRows    dataMetrics
}

// New builds the metrics on a fresh registry. src may be nil (no provider
// states or scheduler counters are then exported).
func New(src Source) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), now: time.Now, dnsSeen: map[string]string{}}
	m.checks = newCheckMetrics()
	m.ops = newOpMetrics()
	m.drills = newDrillMetrics()
	m.cluster = newClusterMetrics()
	m.drift = newDriftMetrics()
	m.ttl = newTTLGauge()
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.checks.duration, m.checks.total, m.checks.failures, m.checks.unknown,
		m.ops.total, m.ops.duration, m.ops.steps,
		m.drills.total,
		drillCollector{m},
		dnsCollector{m},
		dataCollector{m},
	)
	if src != nil {
		m.reg.MustRegister(providerCollector{src}, schedulerCollector{src})
	}
	return m
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
