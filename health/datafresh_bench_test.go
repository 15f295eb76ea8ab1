package health

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// BenchmarkChecksWithDataRound shows whether the daemon's data rounds
// disturb its health checks: 1000 HTTP targets (each its own port, served
// by a child process) at a 1 s interval with the scheduler's defaults,
// measured twice for the same fixed wall time (LIFEBOAT_BENCH_SECONDS,
// default 8, the first 2 warm-up): alone, then with datafresh.Round over
// 100 services × 2 providers (a real PostgreSQL primary and replica)
// starting every 1 s on another goroutine, as the daemon runs it every
// policy.data_interval. The CPU per check is the whole process's, so with
// the rounds it includes their own CPU. LIFEBOAT_BENCH_DATA_LIMIT sets
// the round's measurements in flight (default datafresh.BackgroundLimit(),
// the daemon's).
// Run it with -benchtime=1x.
func BenchmarkChecksWithDataRound(b *testing.B) {
	// As `lifeboat run` sets it.
	defer debug.SetGCPercent(debug.SetGCPercent(DaemonGCPercent))
	limit := datafresh.BackgroundLimit()
	if l, _ := strconv.Atoi(os.Getenv("LIFEBOAT_BENCH_DATA_LIMIT")); l > 0 {
		limit = l
	}
	cfg := dataBenchConfig(b)
	var alone *benchFigures // the first run's, for the summary
	for i, name := range []string{"alone", "with-data-round"} {
		b.Run(name, func(b *testing.B) {
			bc := benchCase{targets: 1000, hosts: 1000}
			var d dataRounds
			if i == 1 {
				bc.background = func(ctx context.Context) { d.run(ctx, cfg, limit, time.Second) }
			}
			f := benchScheduler(b, bc)
			if d.failed > 0 {
				b.Errorf("%d of the data rounds' readings failed, first: %s", d.failed, d.firstErr)
			}
			if i == 0 {
				alone = &f
			}
			b.ReportMetric(100*(f.checks-f.late)/f.checks, "%on-schedule")
			b.ReportMetric(f.late/f.checks, "late/check")
			b.ReportMetric(f.cpu.Seconds()*1000/f.checks, "cpu-ms/check")
			b.ReportMetric(f.checks/f.wall.Seconds(), "checks/s")
			b.ReportMetric(f.skipped, "skipped-rounds")
			if i == 1 {
				if len(d.durations) == 0 {
					b.Fatal("no data round completed after the first")
				}
				b.ReportMetric(float64(len(d.durations)), "data-rounds")
				b.ReportMetric(ms(mean(d.durations)), "data-round-ms")
				b.ReportMetric(ms(slices.Max(d.durations)), "data-round-max-ms")
			}
			b.ReportMetric(0, "ns/op")
			if i == 1 && alone != nil {
				a := *alone
				b.Logf("1000 checks/s, alone: %.2f %% on schedule, %.3f ms CPU/check; with a 100-service data round (%d in flight) every 1 s: %.2f %% on schedule, %.3f ms CPU/check (rounds included), round %.0f ms mean, %.0f ms max over %d",
					100*(a.checks-a.late)/a.checks, a.cpu.Seconds()*1000/a.checks,
					limit, 100*(f.checks-f.late)/f.checks, f.cpu.Seconds()*1000/f.checks,
					ms(mean(d.durations)), ms(slices.Max(d.durations)), len(d.durations))
			}
		})
	}
}

// dataBenchConfig is BenchmarkRound100Services's configuration (in
// internal/datafresh): 100 services, each with a postgres data block at
// a primary and its replica, every DSN its own.
func dataBenchConfig(b *testing.B) *config.Config {
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
	return cfg
}

// dataRounds runs data rounds and keeps their durations.
type dataRounds struct {
	mu        sync.Mutex
	durations []time.Duration // every round's but the first (warm-up)
	failed    int
	firstErr  string
}

// run starts a round (limit measurements in flight) every interval, or at once when the last took
// longer, until ctx ends (at most 600 rounds). A round is not cut short
// by ctx: its connections run to their end, as the daemon's would.
func (d *dataRounds) run(ctx context.Context, cfg *config.Config, limit int, every time.Duration) {
	next := time.Now()
	for n := range 600 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		start := time.Now()
		next = start.Add(every)
		rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rs := datafresh.Round(rctx, cfg, datafresh.RoundOptions{Timeout: 10 * time.Second, Limit: limit})
		cancel()
		took := time.Since(start)
		d.mu.Lock()
		if n > 0 {
			d.durations = append(d.durations, took)
		}
		for _, rd := range rs {
			if rd.Measurement.Err != nil {
				if d.failed == 0 {
					d.firstErr = fmt.Sprintf("%s/%s at %s: %v", rd.Service, rd.Data, rd.Provider, rd.Measurement.Err)
				}
				d.failed++
			}
		}
		if len(rs) != 200 && d.failed == 0 {
			d.firstErr = fmt.Sprintf("%d readings, want 200", len(rs))
			d.failed++
		}
		d.mu.Unlock()
	}
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
