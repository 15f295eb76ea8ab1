package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// dataMetrics hold the last data round's rows; the collector turns them
// into series at scrape time, so a service or provider that is gone from
// the rows is gone from the scrape.
type dataMetrics struct {
	mu      sync.Mutex
	data    []wire.DataStatus
	backups []wire.BackupStatus
}

var (
	dataAgeDesc = prometheus.NewDesc(namespace+"_data_age_seconds",
		"How old the service's data is at this provider: the largest age of its data blocks there, as last measured. No series while any block's age there is unknown (see lifeboat_data_fresh).",
		[]string{"service", "provider"}, nil)
	dataFreshDesc = prometheus.NewDesc(namespace+"_data_fresh",
		"1 when every data block of the service at this provider is fresh (within the service's rpo), 0 when one is stale or of unknown age.",
		[]string{"service", "provider"}, nil)
	backupAgeDesc = prometheus.NewDesc(namespace+"_backup_age_seconds",
		"How old the newest backup of this backup block is. No series while none was found or the listing failed (see lifeboat_backup_fresh).",
		[]string{"service", "backup"}, nil)
	backupFreshDesc = prometheus.NewDesc(namespace+"_backup_fresh",
		"1 when the newest backup of this backup block is within the service's backup_max_age, 0 when it is older, none was found or the listing failed.",
		[]string{"service", "backup"}, nil)
)

// SetData replaces the data rows with a round's (wire.StatusDoc.Data):
// series of services, data blocks or providers not in rows go away.
func (m *Metrics) SetData(rows []wire.DataStatus) {
	m.dataRows.mu.Lock()
	defer m.dataRows.mu.Unlock()
	m.dataRows.data = append([]wire.DataStatus(nil), rows...)
}

// SetBackups replaces the backup rows with a round's
// (wire.StatusDoc.Backups), as SetData does.
func (m *Metrics) SetBackups(rows []wire.BackupStatus) {
	m.dataRows.mu.Lock()
	defer m.dataRows.mu.Unlock()
	m.dataRows.backups = append([]wire.BackupStatus(nil), rows...)
}

// dataCollector exports the rows. A backup's age is counted from its
// time when known, so it keeps growing if the rounds stop.
type dataCollector struct{ m *Metrics }

func (c dataCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- dataAgeDesc
	ch <- dataFreshDesc
	ch <- backupAgeDesc
	ch <- backupFreshDesc
}

// serviceProvider is one series of the data gauges.
type serviceProvider struct{ service, provider string }

type dataAgg struct {
	age          float64
	unknown, bad bool
}

func (c dataCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.m.now()
	d := &c.m.dataRows
	d.mu.Lock()
	defer d.mu.Unlock()
	aggs := map[serviceProvider]*dataAgg{}
	var order []serviceProvider
	for _, r := range d.data {
		k := serviceProvider{r.Service, r.Provider}
		a := aggs[k]
		if a == nil {
			a = &dataAgg{}
			aggs[k] = a
			order = append(order, k)
		}
		a.unknown = a.unknown || !r.AgeKnown
		a.bad = a.bad || r.Bad()
		if r.AgeKnown {
			a.age = max(a.age, r.AgeSeconds)
		}
	}
	for _, k := range order {
		a := aggs[k]
		if !a.unknown {
			ch <- prometheus.MustNewConstMetric(dataAgeDesc, prometheus.GaugeValue, a.age, k.service, k.provider)
		}
		ch <- prometheus.MustNewConstMetric(dataFreshDesc, prometheus.GaugeValue, b2f(!a.bad), k.service, k.provider)
	}
	for _, b := range d.backups {
		if b.Error == "" && b.Newest != "" {
			age := b.AgeSeconds
			if !b.NewestAt.IsZero() {
				age = max(0, now.Sub(b.NewestAt).Seconds())
			}
			ch <- prometheus.MustNewConstMetric(backupAgeDesc, prometheus.GaugeValue, age, b.Service, b.Backup)
		}
		fresh := b.Error == "" && b.Newest != "" && !b.Over
		ch <- prometheus.MustNewConstMetric(backupFreshDesc, prometheus.GaugeValue, b2f(fresh), b.Service, b.Backup)
	}
}
