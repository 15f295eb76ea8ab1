package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lifeboat-dev/lifeboat/health"
)

// checkLabels are the labels of every per-check series.
var checkLabels = []string{"provider", "service", "check", "kind"}

// checkKey identifies one check's series; a struct of strings so a map
// lookup with it allocates nothing.
type checkKey struct{ provider, service, check, kind string }

// checkSeries are one check's children of the vectors, resolved once.
type checkSeries struct {
	duration prometheus.Observer
	total    prometheus.Counter
	failures prometheus.Counter
	unknown  prometheus.Counter
}

type checkMetrics struct {
	duration *prometheus.HistogramVec
	total    *prometheus.CounterVec
	failures *prometheus.CounterVec
	unknown  *prometheus.CounterVec

	mu     sync.RWMutex
	series map[checkKey]checkSeries
}

func newCheckMetrics() checkMetrics {
	return checkMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "check_duration_seconds",
			Help:    "Latency of each probe of a check, successful or not.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, checkLabels),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "checks_total",
			Help: "Probes run by a check.",
		}, checkLabels),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "check_failures_total",
			Help: "Probes of a check that failed: the provider's failures, not this node's (see check_unknown_total).",
		}, checkLabels),
		unknown: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "check_unknown_total",
			Help: "Probes of a check that could not run for a reason on this node (out of descriptors, no route anywhere): neither a pass nor a failure of the provider.",
		}, checkLabels),
		series: map[checkKey]checkSeries{},
	}
}

// ObserveRound records one round of a provider's results, as
// health.SchedulerOptions.OnRound hands them over. It runs on the
// scheduler's path for every round, so once a check's series exist it
// allocates nothing, and a result costs one map lookup instead of three
// label-value hashes (a third of the time of WithLabelValues per result).
func (m *Metrics) ObserveRound(provider string, results []health.Result) {
	c := &m.checks
	// One read lock for the round, not one per result; released only
	// while a new check's series are created.
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i := range results {
		r := &results[i]
		k := checkKey{provider, r.Service, r.Check, r.Kind}
		s, ok := c.series[k]
		if !ok {
			c.mu.RUnlock()
			s = c.add(k)
			c.mu.RLock()
		}
		s.duration.Observe(r.Latency.Seconds())
		s.total.Inc()
		switch {
		case r.Unknown:
			// The node's fault: counted against the provider it would
			// page someone about a provider that is fine.
			s.unknown.Inc()
		case !r.OK:
			s.failures.Inc()
		}
	}
}

// add resolves and caches the children of a check seen for the first time.
// The failure and unknown counters are created with the others, at 0, so
// that a first one is an increase that rate() and increase() can see.
func (c *checkMetrics) add(k checkKey) checkSeries {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.series[k]; ok {
		return s
	}
	s := checkSeries{
		duration: c.duration.WithLabelValues(k.provider, k.service, k.check, k.kind),
		total:    c.total.WithLabelValues(k.provider, k.service, k.check, k.kind),
		failures: c.failures.WithLabelValues(k.provider, k.service, k.check, k.kind),
		unknown:  c.unknown.WithLabelValues(k.provider, k.service, k.check, k.kind),
	}
	c.series[k] = s
	return s
}
