package main

import (
	"context"
	"fmt"
	"io"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/health/healthtest"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// sample is one look at the process.
type sample struct {
	at         time.Duration // since the scheduler started
	heap       uint64        // bytes of heap objects, live or not yet collected
	liveHeap   uint64        // bytes found live by the last collection
	stacks     uint64        // bytes of goroutine stacks
	goroutines uint64
}

var sampleNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/live:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/sched/goroutines:goroutines",
}

func readSample(ms []metrics.Sample, since time.Time) sample {
	metrics.Read(ms)
	return sample{
		at: time.Since(since), heap: ms[0].Value.Uint64(), liveHeap: ms[1].Value.Uint64(),
		stacks: ms[2].Value.Uint64(), goroutines: ms[3].Value.Uint64(),
	}
}

// soak runs the scheduler against o.targets targets until o.duration has
// passed or ctx ends, printing each sample, and returns the samples and
// the run's figures as text.
func soak(ctx context.Context, o options, out io.Writer) ([]sample, string, error) {
	servers, err := healthtest.Start(o.targets)
	if err != nil {
		return nil, "", err
	}
	defer servers.Stop()
	p := health.NewProbers(health.ProberOptions{})
	defer p.Close()
	groups := make([]*health.Group, o.targets)
	names := make([]string, o.targets)
	for i, addr := range servers.Addrs {
		names[i] = "p" + strconv.Itoa(i)
		probes, err := p.Compile("", &config.Check{Name: "web", HTTP: &config.HTTPCheck{URL: "http://" + addr + "/", ExpectStatus: []int{200}}}, nil, 2*time.Second)
		if err != nil {
			return nil, "", fmt.Errorf("target %s: %w", addr, err)
		}
		groups[i] = &health.Group{Provider: names[i], Probes: probes}
	}
	mon := health.NewMonitor(names, health.Policy{})
	s := health.NewScheduler(groups, mon, health.SchedulerOptions{Interval: o.interval, Concurrency: o.workers})

	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()

	ms := make([]metrics.Sample, len(sampleNames))
	for i, n := range sampleNames {
		ms[i].Name = n
	}
	start, cpu0 := time.Now(), healthtest.CPUTime()
	fmt.Fprintf(out, "soak: %d targets every %s for %s, a sample every %s\n", o.targets, o.interval, o.duration, o.sample)
	fmt.Fprintf(out, "%8s %10s %10s %10s %10s %10s %8s\n", "at", "heap-MB", "live-MB", "stacks-MB", "goroutines", "checks", "late")
	var samples []sample
	tick := time.NewTicker(o.sample)
	defer tick.Stop()
	// Bounded by the run's timeout: the loop ends when runCtx does.
	for runCtx.Err() == nil {
		select {
		case <-runCtx.Done():
		case <-tick.C:
			sm := readSample(ms, start)
			st := s.Stats()
			samples = append(samples, sm)
			fmt.Fprintf(out, "%8s %10.1f %10.1f %10.1f %10d %10d %8d\n", sm.at.Round(time.Second),
				mb(sm.heap), mb(sm.liveHeap), mb(sm.stacks), sm.goroutines, st.Probes, st.Late)
		}
	}
	st, cpu, wall := s.Stats(), healthtest.CPUTime()-cpu0, time.Since(start)
	<-done
	if ctx.Err() != nil {
		fmt.Fprintln(out, "soak: interrupted; judging the samples so far")
	}
	unhealthy := 0
	for _, pr := range mon.Snapshot().Providers {
		if pr.State != health.StateHealthy {
			unhealthy++
		}
	}
	return samples, figures(st, cpu, wall, samples, unhealthy, o.targets), nil
}

func figures(st health.Stats, cpu, wall time.Duration, samples []sample, unhealthy, targets int) string {
	var b strings.Builder
	checks := float64(max(st.Probes, 1))
	fmt.Fprintf(&b, "checks     %d in %s (%.0f/s), %d rounds, %d skipped\n", st.Probes, wall.Round(time.Second), float64(st.Probes)/wall.Seconds(), st.Rounds, st.Skipped)
	fmt.Fprintf(&b, "cpu        %.3f ms per check (%s in all, warm-up included)\n", cpu.Seconds()*1000/checks, cpu.Round(time.Millisecond))
	fmt.Fprintf(&b, "late       %d of %d checks (%.4f)\n", st.Late, st.Probes, float64(st.Late)/checks)
	var peak, peakStacks uint64
	for _, s := range samples {
		peak, peakStacks = max(peak, s.heap), max(peakStacks, s.stacks)
	}
	fmt.Fprintf(&b, "memory     heap at most %.1f MB when sampled, stacks at most %.1f MB\n", mb(peak), mb(peakStacks))
	fmt.Fprintf(&b, "health     %d of %d targets healthy at the end\n", targets-unhealthy, targets)
	return b.String()
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
