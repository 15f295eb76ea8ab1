package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/drill"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// fakeSource is a monitor and scheduler frozen in one state.
type fakeSource struct {
	snap  health.Snapshot
	stats health.Stats
}

func (f fakeSource) Snapshot() health.Snapshot { return f.snap }
func (f fakeSource) Stats() health.Stats       { return f.stats }

var t0 = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

// populated returns metrics that have seen a round, an operation, drills
// and DNS states, with the clock at t0 + 1h.
func populated(t testing.TB) *Metrics {
	t.Helper()
	src := fakeSource{
		snap: health.Snapshot{Providers: []health.ProviderStatus{
			{Name: "hetzner", State: health.StateHealthy},
			{Name: "aws", State: health.StateDown},
		}},
		stats: health.Stats{Probes: 120, Late: 3, Skipped: 1, Rounds: 40},
	}
	m := New(src)
	m.now = func() time.Time { return t0.Add(time.Hour) }
	m.ObserveRound("aws", []health.Result{
		{Service: "www", Check: "home", Kind: "http", Target: "https://secret-host.example/login?token=x", OK: false, Latency: 2 * time.Second},
		{Check: "api", Kind: "provider_api", Target: "api.aws", OK: true, Latency: 30 * time.Millisecond},
		// This node's fault: neither a pass nor the provider's failure.
		{Service: "www", Check: "tcp", Kind: "tcp", Target: "192.0.2.1:443", Unknown: true, Reason: "local fault: too many open files", Latency: time.Millisecond},
	})
	m.ObserveOperation(journal.Operation{
		Kind: "automatic", Status: journal.StatusFailed, Started: t0, Finished: t0.Add(90 * time.Second),
		Steps: []journal.Step{
			{ID: "www/hetzner/apply", Status: journal.StepOK, Started: t0, Finished: t0.Add(60 * time.Second)},
			{ID: "www/hetzner/dns-cutover", Status: journal.StepFailed, Started: t0.Add(60 * time.Second), Finished: t0.Add(90 * time.Second)},
			{ID: "www/hetzner/notify", Status: journal.StepSkipped, Started: t0.Add(90 * time.Second), Finished: t0.Add(90 * time.Second)},
		},
	})
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "canary", Service: "www", OK: true, Started: t0.Add(-time.Hour), Finished: t0})
	m.ObserveDrill(drill.Report{Name: "weekly", Mode: "canary", Service: "www", OK: false, Started: t0, Finished: t0.Add(time.Minute)})
	m.SetDNSState("bind", "healthy")
	m.SetCluster(true, false)
	m.SetData([]wire.DataStatus{{Service: "www", Data: "db", Provider: "aws", State: wire.DataFresh, AgeSeconds: 4, AgeKnown: true}})
	m.SetBackups([]wire.BackupStatus{{Service: "www", Backup: "offsite", Newest: "www.dump", NewestAt: t0, MaxAgeSeconds: 93600}})
	return m
}

// scrape fetches the handler's text exposition.
func scrape(t testing.TB, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	body, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return string(body)
}

// parse decodes the text exposition with Prometheus's own parser.
func parse(t testing.TB, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, text)
	}
	return fams
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// find returns the family's sample whose labels include want, or nil.
func find(f *dto.MetricFamily, want map[string]string) *dto.Metric {
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		got := labels(m)
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}
