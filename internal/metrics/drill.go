package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lifeboat-dev/lifeboat/internal/drill"
)

type drillMetrics struct {
	total *prometheus.CounterVec

	mu       sync.Mutex
	services map[string]drillService
}

// drillService is what is known of one service's drills.
type drillService struct {
	lastSuccess time.Time // zero until a drill passes
	// expected is when the service was declared to have drills
	// (ExpectDrill): until one passes, its age counts from then.
	expected time.Time
}

func newDrillMetrics() drillMetrics {
	return drillMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "drills_total",
			Help: "Finished drills by drill name, mode and result (passed, failed, aborted).",
		}, []string{"drill", "mode", "result"}),
		services: map[string]drillService{},
	}
}

var (
	drillLastSuccessDesc = prometheus.NewDesc(namespace+"_drill_last_success_timestamp_seconds",
		"Unix time at which the last successful drill of the service finished.", []string{"service"}, nil)
	drillAgeDesc = prometheus.NewDesc(namespace+"_drill_last_success_age_seconds",
		"Seconds since the last successful drill of the service finished, or, when none has passed yet, since drills were expected of it.",
		[]string{"service"}, nil)
)

// DrillResult is the result label of lifeboat_drills_total for a report.
func DrillResult(rep drill.Report) string {
	switch {
	case rep.Aborted:
		return "aborted"
	case rep.OK:
		return "passed"
	default:
		return "failed"
	}
}

// ObserveDrill records a finished drill. Reports may come in any order (the
// daemon can replay the journal's drill records at start): the latest
// success is kept.
func (m *Metrics) ObserveDrill(rep drill.Report) {
	result := DrillResult(rep)
	m.drills.total.WithLabelValues(rep.Name, string(rep.Mode), result).Inc()
	m.drills.mu.Lock()
	defer m.drills.mu.Unlock()
	s := m.drills.services[rep.Service]
	if result == "passed" && rep.Finished.After(s.lastSuccess) {
		s.lastSuccess = rep.Finished
	}
	m.drills.services[rep.Service] = s
}

// ExpectDrill declares that service has scheduled drills, from since (the
// daemon's start, say). Until one of them passes, the age series counts
// from since, so a service whose drills never pass still raises the
// "no successful drill" alert; a service with no drills has no series.
func (m *Metrics) ExpectDrill(service string, since time.Time) {
	m.drills.mu.Lock()
	defer m.drills.mu.Unlock()
	s := m.drills.services[service]
	if s.expected.IsZero() || since.Before(s.expected) {
		s.expected = since
	}
	m.drills.services[service] = s
}

// drillCollector exports the last success and its age, computed when
// scraped so the age grows between drills.
type drillCollector struct{ m *Metrics }

func (c drillCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- drillLastSuccessDesc
	ch <- drillAgeDesc
}

func (c drillCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.m.now()
	d := &c.m.drills
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, s := range d.services {
		from := s.lastSuccess
		if from.IsZero() {
			from = s.expected
		} else {
			ch <- prometheus.MustNewConstMetric(drillLastSuccessDesc, prometheus.GaugeValue, unixSeconds(s.lastSuccess), name)
		}
		if from.IsZero() {
			continue // a drill failed, none expected: no age to tell
		}
		ch <- prometheus.MustNewConstMetric(drillAgeDesc, prometheus.GaugeValue, max(0, now.Sub(from).Seconds()), name)
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
