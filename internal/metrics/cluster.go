package metrics

import "github.com/prometheus/client_golang/prometheus"

// clusterMetrics are a node's standing among the lifeboat nodes; exported
// only once SetCluster is first called (a daemon with an etcd journal).
type clusterMetrics struct {
	connected, leader prometheus.Gauge
}

func newClusterMetrics() clusterMetrics {
	return clusterMetrics{
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "cluster_connected",
			Help: "1 while this node holds an etcd session; 0 means it checks and reports but takes no action."}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "cluster_leader",
			Help: "1 while this node leads the lifeboat nodes (only the leader fails over and runs drills)."}),
	}
}

// SetCluster records whether this node is connected to etcd and leads.
func (m *Metrics) SetCluster(connected, leader bool) {
	m.clusterOnce.Do(func() { m.reg.MustRegister(m.cluster.connected, m.cluster.leader) })
	m.cluster.connected.Set(b2f(connected))
	m.cluster.leader.Set(b2f(leader))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
