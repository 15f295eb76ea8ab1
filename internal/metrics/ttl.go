package metrics

import "github.com/prometheus/client_golang/prometheus"

// newTTLGauge is, per hosting provider, whether the records pointing at it
// have the emergency TTL now; registered on first use.
func newTTLGauge() *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "ttl_lowered",
		Help: "1 while the records pointing at this hosting provider have the emergency TTL (it is or was at risk within the recovery window), else 0."}, []string{"provider"})
}

// SetTTLLowered records whether a provider's records have the emergency
// TTL.
func (m *Metrics) SetTTLLowered(provider string, lowered bool) {
	m.ttlOnce.Do(func() { m.reg.MustRegister(m.ttl) })
	v := 0.0
	if lowered {
		v = 1
	}
	m.ttl.WithLabelValues(provider).Set(v)
}
