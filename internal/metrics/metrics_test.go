package metrics

import (
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/drill"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

func TestFamiliesTypesAndLabels(t *testing.T) {
	fams := parse(t, scrape(t, populated(t)))
	cases := []struct {
		name   string
		typ    dto.MetricType
		labels []string // sorted
	}{
		{"lifeboat_provider_state", dto.MetricType_GAUGE, []string{"provider", "state"}},
		{"lifeboat_dns_provider_state", dto.MetricType_GAUGE, []string{"dns", "state"}},
		{"lifeboat_check_duration_seconds", dto.MetricType_HISTOGRAM, []string{"check", "kind", "provider", "service"}},
		{"lifeboat_checks_total", dto.MetricType_COUNTER, []string{"check", "kind", "provider", "service"}},
		{"lifeboat_check_failures_total", dto.MetricType_COUNTER, []string{"check", "kind", "provider", "service"}},
		{"lifeboat_check_unknown_total", dto.MetricType_COUNTER, []string{"check", "kind", "provider", "service"}},
		{"lifeboat_operations_total", dto.MetricType_COUNTER, []string{"kind", "result"}},
		{"lifeboat_operation_duration_seconds", dto.MetricType_HISTOGRAM, []string{"kind"}},
		{"lifeboat_step_duration_seconds", dto.MetricType_HISTOGRAM, []string{"step"}},
		{"lifeboat_drills_total", dto.MetricType_COUNTER, []string{"drill", "mode", "result"}},
		{"lifeboat_drill_last_success_timestamp_seconds", dto.MetricType_GAUGE, []string{"service"}},
		{"lifeboat_drill_last_success_age_seconds", dto.MetricType_GAUGE, []string{"service"}},
		{"lifeboat_scheduler_probes_total", dto.MetricType_COUNTER, nil},
		{"lifeboat_scheduler_late_probes_total", dto.MetricType_COUNTER, nil},
		{"lifeboat_scheduler_skipped_rounds_total", dto.MetricType_COUNTER, nil},
		{"lifeboat_scheduler_rounds_total", dto.MetricType_COUNTER, nil},
		{"go_goroutines", dto.MetricType_GAUGE, nil},
		{"process_cpu_seconds_total", dto.MetricType_COUNTER, nil},
	}
	for _, c := range cases {
		f := fams[c.name]
		if f == nil {
			t.Errorf("%s: missing", c.name)
			continue
		}
		if f.GetType() != c.typ {
			t.Errorf("%s: type %v, want %v", c.name, f.GetType(), c.typ)
		}
		if len(f.GetMetric()) == 0 {
			t.Errorf("%s: no samples", c.name)
			continue
		}
		for _, m := range f.GetMetric() {
			var got []string
			for k := range labels(m) {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.labels) {
				t.Errorf("%s: labels %v, want %v", c.name, got, c.labels)
			}
		}
	}
}

func TestValues(t *testing.T) {
	fams := parse(t, scrape(t, populated(t)))
	value := func(m *dto.Metric) float64 {
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		}
		return -1
	}
	cases := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"lifeboat_provider_state", map[string]string{"provider": "aws", "state": "down"}, 1},
		{"lifeboat_provider_state", map[string]string{"provider": "aws", "state": "healthy"}, 0},
		{"lifeboat_provider_state", map[string]string{"provider": "hetzner", "state": "healthy"}, 1},
		{"lifeboat_provider_state", map[string]string{"provider": "hetzner", "state": "account_lost"}, 0},
		{"lifeboat_dns_provider_state", map[string]string{"dns": "bind", "state": "healthy"}, 1},
		{"lifeboat_dns_provider_state", map[string]string{"dns": "bind", "state": "down"}, 0},
		{"lifeboat_checks_total", map[string]string{"provider": "aws", "service": "www", "check": "home", "kind": "http"}, 1},
		{"lifeboat_check_failures_total", map[string]string{"provider": "aws", "service": "www", "check": "home", "kind": "http"}, 1},
		// A passing check has its failure series, at 0, so a first failure is an increase.
		{"lifeboat_check_failures_total", map[string]string{"provider": "aws", "service": "", "check": "api", "kind": "provider_api"}, 0},
		// A local fault is counted apart, never as the provider's failure.
		{"lifeboat_check_failures_total", map[string]string{"provider": "aws", "service": "www", "check": "tcp", "kind": "tcp"}, 0},
		{"lifeboat_check_unknown_total", map[string]string{"provider": "aws", "service": "www", "check": "tcp", "kind": "tcp"}, 1},
		{"lifeboat_check_unknown_total", map[string]string{"provider": "aws", "service": "www", "check": "home", "kind": "http"}, 0},
		{"lifeboat_checks_total", map[string]string{"provider": "aws", "service": "www", "check": "tcp", "kind": "tcp"}, 1},
		{"lifeboat_operations_total", map[string]string{"kind": "automatic", "result": "failed"}, 1},
		{"lifeboat_operations_total", map[string]string{"kind": "manual", "result": "failed"}, 0},
		{"lifeboat_drills_total", map[string]string{"drill": "weekly", "mode": "canary", "result": "passed"}, 1},
		{"lifeboat_drills_total", map[string]string{"drill": "weekly", "mode": "canary", "result": "failed"}, 1},
		{"lifeboat_drill_last_success_timestamp_seconds", map[string]string{"service": "www"}, float64(t0.Unix())},
		{"lifeboat_drill_last_success_age_seconds", map[string]string{"service": "www"}, 3600},
		{"lifeboat_scheduler_probes_total", nil, 120},
		{"lifeboat_scheduler_late_probes_total", nil, 3},
		{"lifeboat_scheduler_skipped_rounds_total", nil, 1},
		{"lifeboat_scheduler_rounds_total", nil, 40},
	}
	for _, c := range cases {
		m := find(fams[c.family], c.labels)
		if m == nil {
			t.Errorf("%s%v: no such sample", c.family, c.labels)
			continue
		}
		if got := value(m); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.family, c.labels, got, c.want)
		}
	}
}

func TestHistograms(t *testing.T) {
	fams := parse(t, scrape(t, populated(t)))
	cases := []struct {
		family string
		labels map[string]string
		count  uint64
		sum    float64
	}{
		{"lifeboat_check_duration_seconds", map[string]string{"provider": "aws", "check": "home"}, 1, 2},
		{"lifeboat_operation_duration_seconds", map[string]string{"kind": "automatic"}, 1, 90},
		{"lifeboat_step_duration_seconds", map[string]string{"step": "apply"}, 1, 60},
		{"lifeboat_step_duration_seconds", map[string]string{"step": "dns-cutover"}, 1, 30},
	}
	for _, c := range cases {
		m := find(fams[c.family], c.labels)
		if m == nil || m.GetHistogram() == nil {
			t.Errorf("%s%v: no such histogram", c.family, c.labels)
			continue
		}
		h := m.GetHistogram()
		if h.GetSampleCount() != c.count || h.GetSampleSum() != c.sum {
			t.Errorf("%s%v: count %d sum %v, want %d and %v", c.family, c.labels, h.GetSampleCount(), h.GetSampleSum(), c.count, c.sum)
		}
	}
	// A skipped step took no time of its own: it is not a sample.
	if m := find(fams["lifeboat_step_duration_seconds"], map[string]string{"step": "notify"}); m != nil {
		t.Errorf("a skipped step was observed: %v", m)
	}
}

// No label may carry a probe's target: it can hold a secret (a URL from
// env()) and has no bound.
func TestNoTargetInOutput(t *testing.T) {
	text := scrape(t, populated(t))
	for _, s := range []string{"secret-host", "token=x", "api.aws"} {
		if strings.Contains(text, s) {
			t.Errorf("the exposition holds a target (%q)", s)
		}
	}
}

func TestRunningOperationIsNotCounted(t *testing.T) {
	m := New(nil)
	m.ObserveOperation(journal.Operation{Kind: "manual", Status: journal.StatusRunning, Started: t0})
	fams := parse(t, scrape(t, m))
	for _, s := range fams["lifeboat_operations_total"].GetMetric() {
		if v := s.GetCounter().GetValue(); v != 0 {
			t.Errorf("a running operation was counted: %v = %v", labels(s), v)
		}
	}
	if f := fams["lifeboat_operation_duration_seconds"]; f != nil {
		t.Errorf("a running operation has a duration: %v", f)
	}
}

func TestUnknownStateIsUnknown(t *testing.T) {
	m := New(nil)
	m.SetDNSState("bind", "on-fire")
	fams := parse(t, scrape(t, m))
	f := fams["lifeboat_dns_provider_state"]
	if got := len(f.GetMetric()); got != len(states) {
		t.Fatalf("%d series for one DNS provider, want %d", got, len(states))
	}
	if m := find(f, map[string]string{"dns": "bind", "state": "unknown"}); m == nil || m.GetGauge().GetValue() != 1 {
		t.Errorf("an unrecognised state is not shown as unknown: %v", m)
	}
}

func TestDrillAge(t *testing.T) {
	now := t0
	m := New(nil)
	m.now = func() time.Time { return now }
	age := func() *dto.Metric {
		return find(parse(t, scrape(t, m))["lifeboat_drill_last_success_age_seconds"], map[string]string{"service": "www"})
	}

	// A service with no drill known has no series.
	if a := age(); a != nil {
		t.Fatalf("age before anything is known: %v", a)
	}
	// Expected but never passed: the age counts from the declaration.
	m.ExpectDrill("www", t0)
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "full", Service: "www", OK: false, Finished: t0.Add(time.Hour)})
	now = t0.Add(9 * 24 * time.Hour)
	if a := age(); a == nil || a.GetGauge().GetValue() != (9*24*time.Hour).Seconds() {
		t.Fatalf("age of a service whose drills never passed: %v, want 9 days", a)
	}
	if f := parse(t, scrape(t, m))["lifeboat_drill_last_success_timestamp_seconds"]; f != nil {
		t.Errorf("a timestamp with no success: %v", f)
	}
	// Reports out of order: the latest success wins, an aborted one is no success.
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "full", Service: "www", OK: true, Finished: t0.Add(8 * 24 * time.Hour)})
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "full", Service: "www", OK: true, Finished: t0.Add(2 * 24 * time.Hour)})
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "full", Service: "www", OK: true, Aborted: true, Finished: t0.Add(9 * 24 * time.Hour)})
	if a := age(); a == nil || a.GetGauge().GetValue() != (24*time.Hour).Seconds() {
		t.Fatalf("age after a success 1 day ago: %v", a)
	}
	fams := parse(t, scrape(t, m))
	if d := find(fams["lifeboat_drills_total"], map[string]string{"result": "aborted"}); d == nil || d.GetCounter().GetValue() != 1 {
		t.Errorf("aborted drills: %v, want 1", d)
	}
}

func TestStepKind(t *testing.T) {
	for id, want := range map[string]string{
		"www/hetzner/apply":         "apply",
		"www/hetzner/drill-apply":   "drill-apply",
		"operation/drop-dns":        "drop-dns",
		"verify-dns":                "verify-dns",
		"www/bravo/restore-standby": "restore-standby",
	} {
		if got := stepKind(id); got != want {
			t.Errorf("stepKind(%q) = %q, want %q", id, got, want)
		}
	}
}

// The series of a check are created once, whatever the results say.
func TestRoundSeriesAreCached(t *testing.T) {
	m := New(fakeSource{})
	res := []health.Result{{Service: "www", Check: "home", Kind: "http", OK: true, Latency: time.Millisecond}}
	for range 3 {
		m.ObserveRound("aws", res)
	}
	if n := len(m.checks.series); n != 1 {
		t.Errorf("%d cached series for one check, want 1", n)
	}
	m2 := find(parse(t, scrape(t, m))["lifeboat_checks_total"], map[string]string{"check": "home"})
	if m2 == nil || m2.GetCounter().GetValue() != 3 {
		t.Errorf("checks_total after 3 rounds: %v", m2)
	}
}
