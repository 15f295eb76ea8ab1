package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

type opMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	steps    *prometheus.HistogramVec
}

// opKinds and opResults are created at 0 from the start: a counter that
// appears with its first failure already at 1 shows no increase() to an
// alert, so the first failed failover would go unnoticed.
var (
	opKinds   = []planner.Kind{planner.KindAutomatic, planner.KindManual, planner.KindFailback, planner.KindDrill}
	opResults = []journal.Status{journal.StatusSucceeded, journal.StatusFailed, journal.StatusAborted}
)

func newOpMetrics() opMetrics {
	o := opMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "operations_total",
			Help: "Finished operations (failover, failback, drill) by kind and result.",
		}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "operation_duration_seconds",
			Help:    "Time from an operation's start to its end.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200},
		}, []string{"kind"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "step_duration_seconds",
			Help:    "Time of each finished attempt of an operation's step, by step kind.",
			Buckets: []float64{.1, .5, 1, 5, 15, 30, 60, 120, 300, 600, 1800},
		}, []string{"step"}),
	}
	for _, k := range opKinds {
		for _, r := range opResults {
			o.total.WithLabelValues(string(k), string(r))
		}
	}
	return o
}

// ObserveOperation records a finished operation: its result, its duration
// and the duration of each step attempt that ran to a result (ok or
// failed; skipped and interrupted attempts measure nothing). An operation
// that has not finished is ignored: it is counted when it ends.
func (m *Metrics) ObserveOperation(op journal.Operation) {
	if !op.Status.Terminal() {
		return
	}
	m.ops.total.WithLabelValues(op.Kind, string(op.Status)).Inc()
	if !op.Started.IsZero() && !op.Finished.Before(op.Started) {
		m.ops.duration.WithLabelValues(op.Kind).Observe(op.Finished.Sub(op.Started).Seconds())
	}
	for _, st := range op.Steps {
		if st.Status != journal.StepOK && st.Status != journal.StepFailed {
			continue
		}
		if st.Started.IsZero() || st.Finished.Before(st.Started) {
			continue
		}
		m.ops.steps.WithLabelValues(stepKind(st.ID)).Observe(st.Finished.Sub(st.Started).Seconds())
	}
}

// stepKind is the last part of a step ID ("www/bravo/apply" → "apply",
// "www/bravo/drill-apply" → "drill-apply"): the service and provider parts
// are left out so the label has one value per kind of step.
func stepKind(id string) string {
	return id[strings.LastIndexByte(id, '/')+1:]
}
