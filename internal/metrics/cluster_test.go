package metrics

import (
	"strings"
	"testing"
)

// The cluster gauges appear only on a node with an etcd journal (once
// SetCluster is called) and follow its standing.
func TestClusterGauges(t *testing.T) {
	m := New(nil)
	if out := scrape(t, m); strings.Contains(out, "lifeboat_cluster_") {
		t.Fatalf("a node without etcd exports cluster gauges:\n%s", out)
	}
	m.SetCluster(true, true)
	fams := parse(t, scrape(t, m))
	for name, want := range map[string]float64{"lifeboat_cluster_connected": 1, "lifeboat_cluster_leader": 1} {
		f, ok := fams[name]
		if !ok || f.GetMetric()[0].GetGauge().GetValue() != want {
			t.Errorf("%s = %v, want %v", name, f, want)
		}
	}
	m.SetCluster(false, false)
	fams = parse(t, scrape(t, m))
	for _, name := range []string{"lifeboat_cluster_connected", "lifeboat_cluster_leader"} {
		if v := fams[name].GetMetric()[0].GetGauge().GetValue(); v != 0 {
			t.Errorf("%s = %v after losing etcd, want 0", name, v)
		}
	}
}
