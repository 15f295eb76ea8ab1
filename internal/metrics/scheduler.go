package metrics

import "github.com/prometheus/client_golang/prometheus"

// The scheduler keeps its own atomic counters; they are exported as
// counters when scraped rather than mirrored on every probe.
var (
	probesDesc  = prometheus.NewDesc(namespace+"_scheduler_probes_total", "Probes the scheduler started.", nil, nil)
	lateDesc    = prometheus.NewDesc(namespace+"_scheduler_late_probes_total", "Probes started after the end of their time slot.", nil, nil)
	skippedDesc = prometheus.NewDesc(namespace+"_scheduler_skipped_rounds_total", "Rounds skipped because the provider's previous round was still running.", nil, nil)
	roundsDesc  = prometheus.NewDesc(namespace+"_scheduler_rounds_total", "Rounds the scheduler completed.", nil, nil)
)

type schedulerCollector struct{ src Source }

func (c schedulerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- probesDesc
	ch <- lateDesc
	ch <- skippedDesc
	ch <- roundsDesc
}

func (c schedulerCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Stats()
	ch <- prometheus.MustNewConstMetric(probesDesc, prometheus.CounterValue, float64(s.Probes))
	ch <- prometheus.MustNewConstMetric(lateDesc, prometheus.CounterValue, float64(s.Late))
	ch <- prometheus.MustNewConstMetric(skippedDesc, prometheus.CounterValue, float64(s.Skipped))
	ch <- prometheus.MustNewConstMetric(roundsDesc, prometheus.CounterValue, float64(s.Rounds))
}
