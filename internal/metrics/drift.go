package metrics

import "github.com/prometheus/client_golang/prometheus"

// driftMetrics count, per DNS provider, the RRsets that differed from the
// zone's source of truth at the last sync; registered on first use.
type driftMetrics struct {
	rrsets *prometheus.GaugeVec
	syncs  *prometheus.CounterVec
}

func newDriftMetrics() driftMetrics {
	return driftMetrics{
		rrsets: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "dns_drift_rrsets",
			Help: "RRsets that differed from the zone's source of truth at this DNS provider when the daemon last compared them (before writing)."}, []string{"dns"}),
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "dns_syncs_total",
			Help: "Zone syncs the daemon ran per DNS provider, by result: same (nothing to write), written, failed."}, []string{"dns", "result"}),
	}
}

// ObserveSync records one comparison of a DNS provider with the source:
// how many RRsets differed, and what came of it ("same", "written",
// "failed").
func (m *Metrics) ObserveSync(dns string, drift int, result string) {
	m.driftOnce.Do(func() { m.reg.MustRegister(m.drift.rrsets, m.drift.syncs) })
	m.drift.rrsets.WithLabelValues(dns).Set(float64(drift))
	m.drift.syncs.WithLabelValues(dns, result).Inc()
}
