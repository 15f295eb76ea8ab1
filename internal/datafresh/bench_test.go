package datafresh_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// BenchmarkRound100Services is one round over 100 services, each with a
// postgres data block at two providers (a real primary and its replica):
// 200 measurements, 16 in flight, each a connection, one query and a
// goodbye. Each service's DSNs differ (as they would for one database
// each), so the round's sharing of one DSN's measurement does not apply.
func BenchmarkRound100Services(b *testing.B) {
	p := testharness.StartPostgres(b)
	r := p.StartReplica(b)
	cfg := &config.Config{Providers: []*config.Provider{{Name: "a"}, {Name: "b"}}}
	for i := range 100 {
		cfg.Services = append(cfg.Services, &config.Service{Name: fmt.Sprintf("svc%03d", i),
			Candidates: []string{"a", "b"}, RPO: time.Minute,
			Data: []*config.Data{{Name: "db", Postgres: &config.PostgresData{
				DSN: map[string]string{"a": p.DSN() + "&application_name=" + fmt.Sprint(i),
					"b": r.DSN() + "&application_name=" + fmt.Sprint(i)}}}}})
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		rs := datafresh.Round(rctx, cfg, datafresh.RoundOptions{Timeout: 10 * time.Second})
		cancel()
		for _, rd := range rs {
			if rd.Measurement.Err != nil {
				b.Fatalf("%+v", rd)
			}
		}
	}
}
