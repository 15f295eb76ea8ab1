package metrics

import (
	"strconv"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

// roundOf builds a round of n results over n/5 checks of 50 services,
// every fifth one failing, as a large provider's round looks.
func roundOf(n int) []health.Result {
	out := make([]health.Result, n)
	for i := range out {
		out[i] = health.Result{
			Service: "svc" + strconv.Itoa(i%50),
			Check:   "check" + strconv.Itoa(i/5),
			Kind:    "http",
			Target:  "http://127.0.0.1:" + strconv.Itoa(8000+i),
			OK:      i%5 != 0,
			Latency: time.Duration(i%300) * time.Millisecond,
		}
	}
	return out
}

// ObserveRound runs on the scheduler's path: once a check's series exist,
// a round allocates nothing, however many results it has.
func TestObserveRoundAllocatesNothing(t *testing.T) {
	m := New(nil)
	round := roundOf(5000)
	m.ObserveRound("aws", round) // creates the series
	if allocs := testing.AllocsPerRun(20, func() { m.ObserveRound("aws", round) }); allocs != 0 {
		t.Errorf("ObserveRound of 5000 results allocates %v times per round in steady state, want 0", allocs)
	}
}

func BenchmarkObserveRound5000(b *testing.B) {
	m := New(nil)
	round := roundOf(5000)
	m.ObserveRound("aws", round)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.ObserveRound("aws", round)
	}
}
