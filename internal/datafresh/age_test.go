package datafresh

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func TestParseAge(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "2026-12-07T11:59:18Z", want: 42 * time.Second},
		{in: "2026-12-07T12:59:18+01:00\n", want: 42 * time.Second},
		{in: "42s", want: 42 * time.Second},
		{in: "1m30s", want: 90 * time.Second},
		{in: " 42\n", want: 42 * time.Second},
		{in: "42.5", want: 42500 * time.Millisecond},
		{in: "0", want: 0},
		{in: "2026-12-07T12:00:03Z", want: 0}, // within the skew allowed
		{in: "2026-12-07T12:01:00Z", wantErr: "clock skew or bad value"},
		{in: "-3", wantErr: "not an age"},
		{in: "-3s", wantErr: "negative"},
		{in: "NaN", wantErr: "not an age"},
		{in: "", wantErr: "neither"},
		{in: "yesterday", wantErr: "neither"},
	}
	for _, tt := range tests {
		got, err := parseAge(tt.in, now0)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadValue) {
				t.Errorf("parseAge(%q) = %v, %v; want an ErrBadValue with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{in: "2026-12-07T11:59:18Z", want: now0.Add(-42 * time.Second), ok: true},
		{in: "2026-12-07T11:59:18.5Z", want: now0.Add(-41500 * time.Millisecond), ok: true},
		{in: "Mon, 07 Dec 2026 11:59:18 GMT", want: now0.Add(-42 * time.Second), ok: true},
		{in: "1796644758", want: now0.Add(-42 * time.Second), ok: true},
		{in: "1796644758.25", want: now0.Add(-41750 * time.Millisecond), ok: true},
		{in: "0"}, {in: "-5"}, {in: "1e300"}, {in: "Inf"}, {in: "42s"}, {in: "soon"},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if tt.ok != (err == nil) || tt.ok && !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFreshByAge(t *testing.T) {
	tests := []struct {
		name   string
		m      Measurement
		rpo    time.Duration
		want   State
		reason string
	}{
		{"failed is unknown", Measurement{Err: errors.New("boom")}, time.Minute, StateUnknown, "boom"},
		{"failed with age 0 is unknown", Measurement{Err: errors.New("x")}, 0, StateUnknown, "measurement failed"},
		{"within", Measurement{Age: 30 * time.Second}, time.Minute, StateFresh, "within the RPO 1m0s"},
		{"exactly the RPO", Measurement{Age: time.Minute}, time.Minute, StateFresh, "within"},
		{"over", Measurement{Age: 61 * time.Second}, time.Minute, StateStale, "1m1s is over the RPO 1m0s"},
		{"no RPO", Measurement{Age: 100 * time.Hour}, 0, StateFresh, "no RPO set"},
	}
	for _, tt := range tests {
		v := FreshByAge(tt.m, tt.rpo)
		if v.State != tt.want || !strings.Contains(v.Reason, tt.reason) {
			t.Errorf("%s: FreshByAge = %+v; want %v with %q", tt.name, v, tt.want, tt.reason)
		}
		if tt.m.Err == nil && (!v.AgeKnown || v.Age != tt.m.Age) {
			t.Errorf("%s: age %v known %v; want %v", tt.name, v.Age, v.AgeKnown, tt.m.Age)
		}
		if tt.m.Err != nil && v.AgeKnown {
			t.Errorf("%s: a failed measurement has a known age", tt.name)
		}
	}
}
