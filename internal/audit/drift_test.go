package audit

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestDNSDrift(t *testing.T) {
	cfg := &config.Config{}
	for _, tc := range []struct {
		name  string
		drift map[string]Drift
		want  []string
	}{
		{"not compared", nil, nil},
		{"in sync", map[string]Drift{"desec": {Zone: "example.org.", Source: "cloudflare"}}, nil},
		{"drifted", map[string]Drift{"desec": {Zone: "example.org.", Source: "cloudflare", Differ: []string{"www A: missing"}}}, []string{"dns-drift.desec"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Audit(cfg, Facts{Drift: tc.drift})
			var got []string
			for _, f := range r.Findings {
				if f.Check == CheckDNSDrift {
					got = append(got, f.ID)
					if f.Severity != High || len(f.Evidence) != 1 {
						t.Errorf("finding %+v: want high with the differing RRset as evidence", f)
					}
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("drift findings %v, want %v", got, tc.want)
			}
		})
	}
}
