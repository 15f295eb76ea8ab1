package health

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// benchServersEnv makes the test binary a target-server process: the
// benchmark re-executes itself so the servers' CPU is not counted in the
// prober's rusage.
const benchServersEnv = "LIFEBOAT_HEALTH_BENCH_SERVERS"

func TestMain(m *testing.M) {
	if n, _ := strconv.Atoi(os.Getenv(benchServersEnv)); n > 0 {
		serveBenchTargets(n)
		return
	}
	os.Exit(m.Run())
}

// serveBenchTargets listens on n loopback ports, prints them, and serves
// until stdin closes (the parent exited or finished).
func serveBenchTargets(n int) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("ok"))
	})
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		go http.Serve(l, h)
		fmt.Println(l.Addr().String())
	}
	buf := make([]byte, 1)
	os.Stdin.Read(buf) // EOF when the parent closes the pipe
}

func startBenchServers(b *testing.B, n int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), benchServersEnv+"="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	var addrs []string
	for len(addrs) < n && sc.Scan() {
		addrs = append(addrs, sc.Text())
	}
	if len(addrs) < n {
		b.Fatalf("target servers: got %d addresses, want %d", len(addrs), n)
	}
	return addrs
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScheduler runs N loopback HTTP targets at a 1 s interval for a
// fixed wall time (LIFEBOAT_BENCH_SECONDS, default 8; the first second is
// warm-up) whatever b.N is: run it with -benchtime=1x.
func BenchmarkScheduler(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) { benchScheduler(b, n) })
	}
}

func benchScheduler(b *testing.B, n int) {
	seconds := 8
	if s, _ := strconv.Atoi(os.Getenv("LIFEBOAT_BENCH_SECONDS")); s > 1 {
		seconds = s
	}
	servers := startBenchServers(b, 10)
	p := NewProbers(ProberOptions{MaxConnsPerHost: 16})
	defer p.Close()
	groups := make([]*Group, n)
	names := make([]string, n)
	for i := range n {
		names[i] = "p" + strconv.Itoa(i)
		c := &config.Check{Name: "web", HTTP: &config.HTTPCheck{
			URL: "http://" + servers[i%len(servers)] + "/t/" + strconv.Itoa(i), ExpectStatus: []int{200},
		}}
		probes, err := p.Compile("", c, nil, 2*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		groups[i] = &Group{Provider: names[i], Probes: probes}
	}
	mon := NewMonitor(names, Policy{})
	workers := 16
	if w, _ := strconv.Atoi(os.Getenv("LIFEBOAT_BENCH_WORKERS")); w > 0 {
		workers = w
	}
	s := NewScheduler(groups, mon, SchedulerOptions{Interval: time.Second, Concurrency: workers, Seed: 1})

	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
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
	time.Sleep(time.Second) // warm-up: connections open, every target probed once
	st0, cpu0, t0 := s.Stats(), cpuTime(), time.Now()
	time.Sleep(time.Duration(seconds-1) * time.Second)
	st1, cpu1, wall := s.Stats(), cpuTime(), time.Since(t0)
	cancel()
	<-done
	b.StopTimer()
	close(stopSampling)
	<-sampled

	checks := float64(st1.Probes - st0.Probes)
	cpu := (cpu1 - cpu0).Seconds()
	late := float64(st1.Late - st0.Late)
	b.ReportMetric(checks/wall.Seconds(), "checks/s")
	b.ReportMetric(checks/cpu, "checks/cpu-s")
	b.ReportMetric(cpu*1000/checks, "ms-cpu/check")
	b.ReportMetric(100*(checks-late)/checks, "%on-schedule")
	b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
	b.ReportMetric(float64(st1.Skipped-st0.Skipped), "skipped-rounds")
	b.ReportMetric(0, "ns/op")
	bad := 0
	for _, pr := range mon.Snapshot().Providers {
		if pr.State != StateHealthy {
			bad++
		}
	}
	if bad > 0 {
		b.Errorf("%d of %d targets not healthy at the end", bad, n)
	}
}
