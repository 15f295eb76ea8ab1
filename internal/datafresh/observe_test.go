package datafresh_test

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Observe's rule, per service and provider over every data block: stale
// if any block is stale, else unknown if any is unknown or unmeasured
// there, else fresh; the largest age, known only when every block's is.
func TestObserve(t *testing.T) {
	cfg := &config.Config{Services: []*config.Service{{Name: "www",
		Data: []*config.Data{{Name: "db"}, {Name: "files"}}}}}
	fresh := func(age time.Duration) datafresh.Verdict {
		return datafresh.Verdict{State: datafresh.StateFresh, Age: age, AgeKnown: true, Reason: "ok " + age.String()}
	}
	stale := func(age time.Duration) datafresh.Verdict {
		return datafresh.Verdict{State: datafresh.StateStale, Age: age, AgeKnown: true, Reason: "old " + age.String()}
	}
	unknown := datafresh.Verdict{State: datafresh.StateUnknown, Reason: "failed"}
	tests := []struct {
		name        string
		db, files   *datafresh.Verdict // nil: no reading at provider a
		want        planner.DataState
		wantAge     time.Duration
		wantKnown   bool
		wantReason  string
		wantMissing bool // no entry for provider a
	}{
		{name: "all fresh: the largest age", db: ptr(fresh(2 * time.Second)), files: ptr(fresh(5 * time.Second)),
			want: planner.DataFresh, wantAge: 5 * time.Second, wantKnown: true, wantReason: "db: ok 2s; files: ok 5s"},
		{name: "one stale", db: ptr(fresh(time.Second)), files: ptr(stale(time.Hour)),
			want: planner.DataStale, wantAge: time.Hour, wantKnown: true, wantReason: "db: ok 1s; files: old 1h0m0s"},
		{name: "one unknown: unknown, age not known", db: ptr(fresh(time.Second)), files: &unknown,
			want: planner.DataUnknown, wantReason: "db: ok 1s; files: failed"},
		{name: "stale wins over unknown", db: &unknown, files: ptr(stale(time.Minute)),
			want: planner.DataStale, wantReason: "db: failed; files: old 1m0s"},
		{name: "a block unmeasured at the provider is unknown", db: ptr(fresh(time.Second)),
			want: planner.DataUnknown, wantReason: "db: ok 1s; files: not measured at this provider"},
		{name: "all unknown", db: &unknown, files: &unknown, want: planner.DataUnknown, wantReason: "db: failed; files: failed"},
		{name: "no reading at all: no entry", wantMissing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Provider b is always fresh: one provider's state does not
			// spill onto another's.
			rs := []datafresh.Reading{
				{Key: datafresh.Key{Service: "www", Data: "db", Provider: "b"}, Verdict: fresh(0)},
				{Key: datafresh.Key{Service: "www", Data: "files", Provider: "b"}, Verdict: fresh(0)},
			}
			if tt.db != nil {
				rs = append(rs, datafresh.Reading{Key: datafresh.Key{Service: "www", Data: "db", Provider: "a"}, Verdict: *tt.db})
			}
			if tt.files != nil {
				rs = append(rs, datafresh.Reading{Key: datafresh.Key{Service: "www", Data: "files", Provider: "a"}, Verdict: *tt.files})
			}
			obs := datafresh.Observe(cfg, rs)
			if b := obs["www"]["b"]; b.State != planner.DataFresh || !b.AgeKnown {
				t.Errorf("provider b: %+v", b)
			}
			got, ok := obs["www"]["a"]
			if tt.wantMissing {
				if ok {
					t.Errorf("provider a: %+v, want no entry", got)
				}
				return
			}
			want := planner.DataObservation{State: tt.want, Age: tt.wantAge, AgeKnown: tt.wantKnown, Reason: tt.wantReason}
			if got != want {
				t.Errorf("Observe = %+v\nwant %+v", got, want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
