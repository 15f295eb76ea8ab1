package main

import (
	"errors"
	"io"
	"testing"
)

func goroutines(counts ...uint64) []sample {
	out := make([]sample, len(counts))
	for i, c := range counts {
		out[i].goroutines = c
	}
	return out
}

func countOf(s sample) float64 { return float64(s.goroutines) }

func TestFlat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		samples []sample
		second  float64
		last    float64
		ok      bool
	}{
		// The warm-up quarter (1000) is ignored; 100 vs 104 is within 5%.
		{"flat after warm-up", goroutines(1000, 100, 104, 104), 100, 104, true},
		{"leak", goroutines(100, 100, 100, 100, 100, 100, 110, 120), 100, 115, false},
		{"shrinking counts too", goroutines(100, 100, 100, 80), 100, 80, false},
		{"exactly the tolerance", goroutines(0, 0, 100, 100, 0, 0, 105, 105), 100, 105, true},
		{"zero stays zero", goroutines(0, 0, 0, 0), 0, 0, true},
		{"from zero", goroutines(0, 0, 0, 1), 0, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := flat(tc.samples, countOf, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			if f.second != tc.second || f.last != tc.last || f.ok != tc.ok {
				t.Fatalf("got second %v last %v ok %v, want %v %v %v", f.second, f.last, f.ok, tc.second, tc.last, tc.ok)
			}
		})
	}
	if _, err := flat(goroutines(1, 2, 3), countOf, 0.05); !errors.Is(err, errFewSamples) {
		t.Fatalf("three samples: %v, want errFewSamples", err)
	}
}

func TestParseRefusesADurationTooShortToJudge(t *testing.T) {
	if _, err := parse([]string{"-duration", "3m", "-sample", "1m"}, io.Discard); !errors.Is(err, errUsage) {
		t.Fatalf("3 samples: %v, want errUsage", err)
	}
	o, err := parse([]string{"-targets", "10", "-duration", "2m", "-sample", "10s"}, io.Discard)
	if err != nil || o.targets != 10 || o.sample.Seconds() != 10 {
		t.Fatalf("%+v %v", o, err)
	}
}
