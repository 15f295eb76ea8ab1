package audit_test

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

func TestRTOBudget(t *testing.T) {
	rto := func(d string) string { return patch(t, `rto        = "10m"`, `rto        = "`+d+`"`) }
	runCases(t, audit.CheckRTOBudget, []checkCase{
		{name: "clean: 4m10s within 10m"},
		{
			name: "over with the measured apply",
			src:  rto("3m"),
			want: map[string]audit.Severity{"rto-budget.www": audit.High},
			evidence: map[string][]string{"rto-budget.www": {
				"ttl 60s + interval 10s x fail_after 6 (1m0s) + last apply at digitalocean 2m10s = 4m10s > rto 3m0s",
				"when it is lost the planner moves it to digitalocean",
			}},
		},
		{
			name: "a measured apply is shown to the second",
			src:  rto("3m"),
			facts: func(f *audit.Facts) {
				f.ApplyTimes["digitalocean"] = 2*time.Minute + 10*time.Second + 400*time.Millisecond
			},
			want:     map[string]audit.Severity{"rto-budget.www": audit.High},
			evidence: map[string][]string{"rto-budget.www": {"last apply at digitalocean 2m10s = 4m10s > rto 3m0s"}},
		},
		{
			name:  "no measured apply, within so far",
			facts: func(f *audit.Facts) { f.ApplyTimes = nil },
			want:  map[string]audit.Severity{"rto-budget.www": audit.Low},
			evidence: map[string][]string{"rto-budget.www": {
				"cannot complete the recovery-time budget of www: no measured apply at digitalocean",
				"ttl 60s + interval 10s x fail_after 6 (1m0s) = 2m0s <= rto 10m0s without the apply",
				"canary or full drill",
			}},
		},
		{
			name:     "no measured apply, over already",
			src:      rto("90s"),
			facts:    func(f *audit.Facts) { f.ApplyTimes = nil },
			want:     map[string]audit.Severity{"rto-budget.www": audit.High},
			evidence: map[string][]string{"rto-budget.www": {"= 2m0s > rto 1m30s (no measured apply at digitalocean)", "even before the apply"}},
		},
		{
			name:     "nowhere to go, over already",
			src:      patch(t, `candidates = ["hetzner", "digitalocean"]`, `candidates = ["hetzner"]`, `rto        = "10m"`, `rto        = "1m"`),
			want:     map[string]audit.Severity{"rto-budget.www": audit.High},
			evidence: map[string][]string{"rto-budget.www": {"= 2m0s > rto 1m0s (no candidate can take www"}},
		},
		{
			name:     "exactly the rto before the apply, no measured apply",
			src:      rto("2m"),
			facts:    func(f *audit.Facts) { f.ApplyTimes = nil },
			want:     map[string]audit.Severity{"rto-budget.www": audit.Low},
			evidence: map[string][]string{"rto-budget.www": {"= 2m0s <= rto 2m0s without the apply"}},
		},
		{
			name:  "no rto, no budget",
			src:   patch(t, "  rto        = \"10m\"\n", ""),
			facts: func(f *audit.Facts) { f.ApplyTimes["digitalocean"] = time.Hour },
		},
		{
			name:  "a standby without a workspace needs no apply",
			src:   patch(t, "  terraform {\n    dir = \"infra/digitalocean\"\n  }\n", "  addresses = [\"198.51.100.20\"]\n", `rto        = "10m"`, `rto        = "2m"`),
			facts: func(f *audit.Facts) { f.ApplyTimes = nil },
		},
		{
			// The planner passes over a standby at the primary's vendor:
			// its apply is not the one that counts.
			name: "the standby is the planner's choice",
			src: patch(t,
				`candidates = ["hetzner", "digitalocean"]`, `candidates = ["hetzner", "hetzner-cloud2", "digitalocean"]`,
				`rto        = "10m"`, `rto        = "4m"`,
				"provider \"digitalocean\" {", "provider \"hetzner-cloud2\" {\n  vendor = \"hetzner\"\n}\n\nprovider \"digitalocean\" {"),
			facts:    func(f *audit.Facts) { f.ApplyTimes["hetzner-cloud2"] = time.Second },
			want:     map[string]audit.Severity{"rto-budget.www": audit.High},
			evidence: map[string][]string{"rto-budget.www": {"last apply at digitalocean 2m10s = 4m10s > rto 4m0s"}},
		},
		{
			name:     "nowhere to go",
			src:      patch(t, `candidates = ["hetzner", "digitalocean"]`, `candidates = ["hetzner"]`),
			want:     map[string]audit.Severity{"rto-budget.www": audit.Low},
			evidence: map[string][]string{"rto-budget.www": {"no candidate can take www when hetzner is lost", "service.candidates"}},
		},
	})
}
