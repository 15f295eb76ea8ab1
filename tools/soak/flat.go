package main

import (
	"errors"
	"fmt"
	"math"
)

// minQuarters is the fewest samples a verdict needs: one per quarter.
const minQuarters = 4

// errFewSamples is returned when the run was too short to judge.
var errFewSamples = errors.New("too few samples to judge")

// series is one quantity the verdict is about.
type series struct {
	name, unit string
	scale      float64
	get        func(sample) float64
}

func (s series) format(v float64) string {
	if s.unit == "" {
		return fmt.Sprintf("%.0f", v/s.scale)
	}
	return fmt.Sprintf("%.1f %s", v/s.scale, s.unit)
}

// flatness compares the mean of the second quarter of the samples with the
// mean of the last: the first quarter is warm-up (connections opening, the
// heap finding its size).
type flatness struct {
	second, last float64
	change       float64 // (last - second) / second
	ok           bool
}

func (f flatness) verdict() string {
	if f.ok {
		return "flat"
	}
	return "NOT flat"
}

// flat judges whether get stayed within tolerance (a fraction) over the
// samples after warm-up.
func flat(samples []sample, get func(sample) float64, tolerance float64) (flatness, error) {
	n := len(samples)
	if n < minQuarters {
		return flatness{}, fmt.Errorf("%w: %d, want at least %d", errFewSamples, n, minQuarters)
	}
	var f flatness
	f.second = mean(samples[n/4:n/2], get)
	f.last = mean(samples[n-n/4:], get)
	if f.second == 0 {
		f.ok = f.last == 0
		return f, nil
	}
	f.change = (f.last - f.second) / f.second
	f.ok = math.Abs(f.change) <= tolerance
	return f, nil
}

func mean(s []sample, get func(sample) float64) float64 {
	sum := 0.0
	for _, x := range s {
		sum += get(x)
	}
	return sum / float64(len(s))
}
