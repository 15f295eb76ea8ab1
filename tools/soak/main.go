// Command soak runs the health scheduler and monitor against many loopback
// HTTP targets for a long time and checks that the heap and the goroutine
// count stay flat: the daemon runs one scheduler for its whole life.
//
//	go run ./tools/soak -targets 5000 -interval 1s -duration 1h
//
// The targets are served by a second copy of this program, so their CPU
// and memory are not counted. It exits 1 when the heap or the goroutines
// grew (or shrank) by more than the tolerance, 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/health/healthtest"
)

func main() {
	healthtest.ServeIfChild()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(health.DaemonGCPercent) // as `lifeboat run` sets it
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line.
type options struct {
	targets   int
	interval  time.Duration
	duration  time.Duration
	sample    time.Duration
	workers   int
	tolerance float64
}

var errUsage = errors.New("usage")

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.targets, "targets", 5000, "loopback HTTP targets, each on its own port and its own provider")
	fs.DurationVar(&o.interval, "interval", time.Second, "the scheduler's interval")
	fs.DurationVar(&o.duration, "duration", time.Hour, "how long to run")
	fs.DurationVar(&o.sample, "sample", time.Minute, "how often to sample the heap and the goroutines")
	fs.IntVar(&o.workers, "workers", 0, "probe workers (0: the scheduler's default)")
	fs.Float64Var(&o.tolerance, "tolerance", 0.05, "largest change allowed between the second and the last quarter's means")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case o.targets <= 0 || o.interval <= 0 || o.sample <= 0 || o.tolerance <= 0:
		return o, fmt.Errorf("%w: -targets, -interval, -sample and -tolerance must be positive", errUsage)
	case o.duration < minQuarters*o.sample:
		return o, fmt.Errorf("%w: -duration must hold at least %d samples (-sample %s)", errUsage, minQuarters, o.sample)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "soak:", err)
		}
		return 2
	}
	if limit, err := healthtest.RaiseFileLimit(); err != nil {
		fmt.Fprintln(stderr, "soak:", err)
	} else if limit > 0 && limit < uint64(2*o.targets+100) {
		fmt.Fprintf(stderr, "soak: the open-file limit (%d) is too low for %d targets\n", limit, o.targets)
		return 1
	}
	samples, figures, err := soak(ctx, o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return 1
	}
	fmt.Fprint(stdout, figures)
	ok := true
	for _, s := range []series{
		{name: "live heap", unit: "MB", scale: 1 << 20, get: func(s sample) float64 { return float64(s.liveHeap) }},
		{name: "goroutines", scale: 1, get: func(s sample) float64 { return float64(s.goroutines) }},
	} {
		v, err := flat(samples, s.get, o.tolerance)
		if err != nil {
			fmt.Fprintln(stderr, "soak:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-10s second quarter %s, last quarter %s: %+.1f%% %s\n",
			s.name, s.format(v.second), s.format(v.last), 100*v.change, v.verdict())
		ok = ok && v.ok
	}
	if !ok {
		return 1
	}
	return 0
}
