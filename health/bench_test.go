package health

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health/healthtest"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// TestMain lets the benchmarks re-execute the test binary as their target
// servers, so the servers' CPU is not counted in the prober's rusage.
func TestMain(m *testing.M) {
	healthtest.ServeIfChild()
	os.Exit(m.Run())
}

// benchCase is one load for benchScheduler.
type benchCase struct {
	targets int
	hosts   int  // host:ports the targets are spread over (one connection each at least)
	workers int  // 0: the scheduler's default
	swap    bool // every group replaced half-way through, as the daemon does after a failover
	// background, when set, runs beside the scheduler in this process
	// from its start until the measurement ends (ctx cancelled).
	background func(ctx context.Context)
}

// benchFigures are what one run measured after warm-up.
type benchFigures struct {
	checks, late, skipped float64
	wall, cpu             time.Duration
	peakHeap              uint64 // bytes of heap objects, live or not yet collected, sampled every 20ms
	peakLive              uint64 // bytes of heap found live by a collection, at most
	peakStacks            uint64 // bytes of goroutine stacks (two per kept-alive connection)
}

// BenchmarkScheduler runs N loopback HTTP targets spread over 10 hosts at a
// 1 s interval for a fixed wall time (LIFEBOAT_BENCH_SECONDS, default 8;
// the first 2 are warm-up) whatever b.N is: run it with -benchtime=1x.
func BenchmarkScheduler(b *testing.B) {
	workers := 16
	if w, _ := strconv.Atoi(os.Getenv("LIFEBOAT_BENCH_WORKERS")); w > 0 {
		workers = w
	}
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) {
			f := benchScheduler(b, benchCase{targets: n, hosts: 10, workers: workers})
			b.ReportMetric(f.checks/f.wall.Seconds(), "checks/s")
			b.ReportMetric(f.checks/f.cpu.Seconds(), "checks/cpu-s")
			b.ReportMetric(f.cpu.Seconds()*1000/f.checks, "ms-cpu/check")
			b.ReportMetric(100*(f.checks-f.late)/f.checks, "%on-schedule")
			b.ReportMetric(float64(f.peakHeap)/(1<<20), "MB-peak-heap")
			b.ReportMetric(f.skipped, "skipped-rounds")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// Budgets the daemon is held to at 5000 targets and 1 s.
const (
	daemonCPUPerCheck = 100 * time.Microsecond
	daemonHeap        = 60 << 20
)

// BenchmarkDaemon5000 is the daemon's load: 5000 HTTP targets, each its
// own host:port (so 5000 kept-alive connections), a 1 s interval, the
// scheduler's default workers and slot, and every group swapped for a new
// one half-way through. It says when a budget (CPU per check, heap) is missed.
// Run it with -benchtime=1x; LIFEBOAT_BENCH_SECONDS sets the wall time.
func BenchmarkDaemon5000(b *testing.B) {
	// As `lifeboat run` sets it.
	defer debug.SetGCPercent(debug.SetGCPercent(DaemonGCPercent))
	f := benchScheduler(b, benchCase{targets: 5000, hosts: 5000, swap: true})
	perCheck := f.cpu.Seconds() * 1000 / f.checks
	heapMB := float64(f.peakHeap) / (1 << 20)
	b.ReportMetric(perCheck, "cpu-ms/check")
	b.ReportMetric(f.late/f.checks, "late/check")
	b.ReportMetric(heapMB, "heap-MB")
	b.ReportMetric(float64(f.peakLive)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(f.peakStacks)/(1<<20), "stacks-MB")
	b.ReportMetric(f.checks/f.wall.Seconds(), "checks/s")
	b.ReportMetric(f.skipped, "skipped-rounds")
	b.ReportMetric(0, "ns/op")
	b.Logf("%.0f checks in %s: %.3f ms of CPU per check, %.4f late, heap peak %.1f MB (live %.1f MB), stacks %.1f MB",
		f.checks, f.wall.Round(time.Millisecond), perCheck, f.late/f.checks, heapMB, float64(f.peakLive)/(1<<20), float64(f.peakStacks)/(1<<20))
	// Over budget is said, not failed: a failed benchmark prints no figures.
	if perCheck > daemonCPUPerCheck.Seconds()*1000 {
		b.Logf("OVER BUDGET: %.3f ms of CPU per check, budget %s", perCheck, daemonCPUPerCheck)
	}
	if f.peakHeap > daemonHeap {
		b.Logf("OVER BUDGET: heap peaked at %.1f MB, budget %d MB", heapMB, daemonHeap>>20)
	}
}

// benchGroups gives every target a provider of its own with one HTTP
// check; path tells two generations of groups apart.
func benchGroups(b *testing.B, p *Probers, addrs []string, n int, path string) []*Group {
	groups := make([]*Group, n)
	for i := range n {
		c := &config.Check{Name: "web", HTTP: &config.HTTPCheck{
			URL: "http://" + addrs[i%len(addrs)] + "/" + path + "/" + strconv.Itoa(i), ExpectStatus: []int{200},
		}}
		probes, err := p.Compile("", c, nil, 2*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		groups[i] = &Group{Provider: "p" + strconv.Itoa(i), Probes: probes}
	}
	return groups
}

func benchScheduler(b *testing.B, bc benchCase) benchFigures {
	const warmup = 2 * time.Second
	seconds := 8
	if s, _ := strconv.Atoi(os.Getenv("LIFEBOAT_BENCH_SECONDS")); s > 2 {
		seconds = s
	}
	servers, err := healthtest.Start(bc.hosts, "-test.run=^$", "-test.bench=^$")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { servers.Stop() })
	p := NewProbers(ProberOptions{MaxConnsPerHost: 16})
	defer p.Close()
	groups := benchGroups(b, p, servers.Addrs, bc.targets, "t")
	names := make([]string, bc.targets)
	for i, g := range groups {
		names[i] = g.Provider
	}
	mon := NewMonitor(names, Policy{})
	s := NewScheduler(groups, mon, SchedulerOptions{Interval: time.Second, Concurrency: bc.workers, Seed: 1})

	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	var peak, live, stacks uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			live = max(live, sample[1].Value.Uint64())
			stacks = max(stacks, sample[2].Value.Uint64())
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.ResetTimer()
	go func() { s.Run(ctx); close(done) }()
	bgDone := make(chan struct{})
	if bc.background != nil {
		go func() { bc.background(ctx); close(bgDone) }()
	} else {
		close(bgDone)
	}
	time.Sleep(warmup) // connections open, every target probed once
	st0, cpu0, t0 := s.Stats(), healthtest.CPUTime(), time.Now()
	measure := time.Duration(seconds)*time.Second - warmup
	var swapped <-chan struct{}
	if bc.swap {
		time.Sleep(measure / 2)
		// Built now, as the daemon does after a failover.
		swapped = s.SwapGroups(benchGroups(b, p, servers.Addrs, bc.targets, "swapped"))
		time.Sleep(measure - measure/2)
	} else {
		time.Sleep(measure)
	}
	st1, cpu1, wall := s.Stats(), healthtest.CPUTime(), time.Since(t0)
	if swapped != nil {
		select {
		case <-swapped:
		default:
			b.Errorf("the swapped groups had not all completed a round %s after the swap", measure-measure/2)
		}
	}
	cancel()
	<-done
	<-bgDone
	b.StopTimer()
	close(stopSampling)
	<-sampled

	bad := 0
	for _, pr := range mon.Snapshot().Providers {
		if pr.State != StateHealthy {
			bad++
		}
	}
	if bad > 0 {
		b.Errorf("%d of %d targets not healthy at the end", bad, bc.targets)
	}
	return benchFigures{
		checks:     float64(st1.Probes - st0.Probes),
		late:       float64(st1.Late - st0.Late),
		skipped:    float64(st1.Skipped - st0.Skipped),
		wall:       wall,
		cpu:        cpu1 - cpu0,
		peakHeap:   peak,
		peakLive:   live,
		peakStacks: stacks,
	}
}
