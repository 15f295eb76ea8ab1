package planner

import "time"

// Result is a plan: what a failover would do and why. It is a plain value
// that can be printed, compared, journaled and handed to the executor; every
// slice in it is sorted so equal inputs give equal plans. Services and
// steps may share slices and workspaces with one another (a thousand
// services then do not cost a thousand copies): treat a Result as
// read-only.
type Result struct {
	Request Request `json:"request"`
	// Lost lists the providers the plan moves away from, by name.
	Lost []LostProvider `json:"lost"`
	// Services lists the services the plan is about, by name: those placed
	// on a lost provider, or the one the request names.
	Services []ServicePlan `json:"services"`
	// Unaffected counts the services the plan leaves alone without listing
	// them.
	Unaffected int `json:"unaffected"`
	// Notes explain plan-wide decisions, such as why nothing moves.
	Notes []string `json:"notes,omitempty"`
	// Zones lists the zones whose delegation the plan changes (or would,
	// see ZoneAction), by zone.
	Zones []ZonePlan `json:"zones,omitempty"`
}

// LostProvider is a provider the plan treats as lost, and why.
type LostProvider struct {
	Name   string `json:"name"`
	Vendor string `json:"vendor"`
	State  State  `json:"state"`
	// Simulated is set for a drill: the provider is treated as lost
	// without being observed lost.
	Simulated bool   `json:"simulated,omitempty"`
	Reason    string `json:"reason"`
}

// Action is what the plan does for one service.
type Action string

const (
	ActionMove    Action = "move"    // Steps move the service From -> To.
	ActionStay    Action = "stay"    // Nothing to do; Reason says why.
	ActionBlocked Action = "blocked" // The service should move but cannot; Reason says why.
)

// ServicePlan is the plan for one service.
type ServicePlan struct {
	Service string `json:"service"`
	Action  Action `json:"action"`
	From    string `json:"from,omitempty"`
	// To is set when a target was chosen; a blocked plan may still have
	// one when it is the DNS cutover that is impossible.
	To     string `json:"to,omitempty"`
	Reason string `json:"reason"`
	// Settled is set on a service that stays because it already is where
	// the request wants it, on a provider observed healthy: nothing to do.
	// A service that stays on a provider that is not healthy, or away from
	// the request's target, is not settled.
	Settled bool `json:"settled,omitempty"`
	// Candidates are the service's candidates in order of preference, each
	// with the verdict and its reason.
	Candidates []Candidate `json:"candidates,omitempty"`
	// DNS lists the DNS providers considered for the cutover, by name.
	DNS []DNSChoice `json:"dns,omitempty"`
	// ExpectedLoss is, for a service with data blocks and a target, the
	// writes a move there loses: "up to 42s of writes" from the target's
	// data age, or "unknown".
	ExpectedLoss string `json:"expected_loss,omitempty"`
	// AcceptedDataLoss is set when the target passed the RPO only because
	// the request accepts data loss: what it accepts ("up to 5m2s of
	// writes", "an unknown amount of writes").
	AcceptedDataLoss string   `json:"accepted_data_loss,omitempty"`
	Warnings         []string `json:"warnings,omitempty"`
	Steps            []Step   `json:"steps,omitempty"`
}

// Verdict is the planner's judgement of one candidate.
type Verdict string

const (
	VerdictChosen   Verdict = "chosen"   // the target
	VerdictViable   Verdict = "viable"   // could take the service; another comes first
	VerdictRejected Verdict = "rejected" // cannot take the service now
	VerdictSkipped  Verdict = "skipped"  // not considered (the request names a target, or failback)
)

// Candidate is one candidate provider and the planner's verdict on it.
type Candidate struct {
	Provider string  `json:"provider"`
	Vendor   string  `json:"vendor,omitempty"`
	State    State   `json:"state"`
	Verdict  Verdict `json:"verdict"`
	Reason   string  `json:"reason"`
	// Data is what was measured of the service's data there; set for
	// every candidate of a service with data blocks.
	Data *CandidateData `json:"data,omitempty"`
}

// CandidateData is the freshness of a service's data at one candidate, as
// the planner was given it (Input.Data).
type CandidateData struct {
	State DataState `json:"state"`
	// AgeSeconds is the data's age; meaningful when AgeKnown.
	AgeSeconds float64 `json:"age_seconds,omitempty"`
	AgeKnown   bool    `json:"age_known,omitempty"`
	// Reason is the measurement's explanation; "not measured" when the
	// input has none for it.
	Reason string `json:"reason,omitempty"`
}

// Age is AgeSeconds as a duration.
func (d CandidateData) Age() time.Duration { return time.Duration(d.AgeSeconds * float64(time.Second)) }

// DNSChoice is one DNS provider and whether the cutover uses it.
type DNSChoice struct {
	Name   string `json:"name"`
	Vendor string `json:"vendor,omitempty"`
	State  State  `json:"state"`
	Use    bool   `json:"use"`
	// LostVendor is set when it is left out because its vendor is lost
	// (see the package comment): unlike a DNS provider that is merely
	// unreachable, it is not to be retried later in the operation.
	LostVendor bool   `json:"lost_vendor,omitempty"`
	Reason     string `json:"reason"`
}

// StepKind names one kind of failover step, in the order they run.
type StepKind string

const (
	StepPrepare     StepKind = "prepare"
	StepApply       StepKind = "apply"
	StepReadOutputs StepKind = "read-outputs"
	// StepFence stops the old primary's database taking writes (best
	// effort: never blocking when the old provider is gone).
	StepFence StepKind = "fence"
	// StepPromote makes the target's replica the primary; a replica
	// already promoted is done.
	StepPromote     StepKind = "promote"
	StepWaitHealthy StepKind = "wait-healthy"
	StepDNSCutover  StepKind = "dns-cutover"
	StepVerifyDNS   StepKind = "verify-dns"
	StepNotify      StepKind = "notify"
)

// Step is one thing the executor does. ID ("www/bravo/apply", see StepID)
// is stable, and the same in plans, progress and history, so the
// executor can journal it and resume after a crash. Only the fields a kind
// needs are set.
type Step struct {
	ID       string   `json:"id"`
	Kind     StepKind `json:"kind"`
	Service  string   `json:"service"`
	Provider string   `json:"provider,omitempty"`
	// Workspace is the target's Terraform workspace (prepare, apply,
	// read-outputs); Dir is relative to the configuration's directory.
	Workspace *Workspace `json:"workspace,omitempty"`
	// Vars are the workspace's vars merged with the service's; the
	// service's value wins.
	Vars map[string]string `json:"vars,omitempty"`
	// SecretVars names the Vars whose value is SecretValue in the plan: the
	// executor reads them from the configuration.
	SecretVars []string `json:"secret_vars,omitempty"`
	// Output is the workspace output holding the new addresses.
	Output string `json:"output,omitempty"`
	// Addresses are the target's configured addresses, set instead of the
	// Terraform steps when the target has no workspace.
	Addresses []string `json:"addresses,omitempty"`
	Records   []string `json:"records,omitempty"`
	TTL       int      `json:"ttl_seconds,omitempty"`
	// DNS names the dns blocks the cutover writes to and verifies, or
	// those a re-delegation delegates to.
	DNS []string `json:"dns,omitempty"`
	// Zone and NS are a redelegate step's zone and nameserver host names.
	Zone string   `json:"zone,omitempty"`
	NS   []string `json:"ns,omitempty"`
	// Data names the service's data block a fence or promote step acts
	// on; Provider is then where it acts (the old primary for fence).
	Data string `json:"data,omitempty"`
	// Notify names the notify blocks to send the timeline to.
	Notify []string `json:"notify,omitempty"`
	// TimeoutSeconds bounds wait-healthy and verify-dns (from the policy).
	TimeoutSeconds int64  `json:"timeout_seconds,omitempty"`
	Reason         string `json:"reason"`
}

// Timeout is TimeoutSeconds as a duration; zero means the executor's own bound.
func (s Step) Timeout() time.Duration { return time.Duration(s.TimeoutSeconds) * time.Second }

// Workspace names a Terraform root module and workspace.
type Workspace struct {
	Dir  string `json:"dir"`
	Name string `json:"name"`
}

// Moves is the number of services the plan moves.
func (r Result) Moves() int { return r.count(ActionMove) }

// Blocked is the number of services that should move but cannot.
func (r Result) Blocked() int { return r.count(ActionBlocked) }

// Settled reports whether the request is already carried out: nothing
// moves, nothing is blocked, no zone is to be re-delegated, and every
// listed service is Settled. A plan
// that lists no service is settled too: no service the request covers runs
// on a provider it leaves (Notes say why). Callers say "already done" and
// succeed; a plan that moves nothing but is not settled (a service blocked,
// or staying on a degraded provider) is not done.
func (r Result) Settled() bool {
	if len(r.Zones) > 0 {
		return false
	}
	for _, s := range r.Services {
		if !s.Settled || s.Action != ActionStay {
			return false
		}
	}
	return true
}

func (r Result) count(a Action) int {
	n := 0
	for _, s := range r.Services {
		if s.Action == a {
			n++
		}
	}
	return n
}

// Rejected returns the candidates the planner rejected, in order.
func (s ServicePlan) Rejected() []Candidate {
	var out []Candidate
	for _, c := range s.Candidates {
		if c.Verdict == VerdictRejected {
			out = append(out, c)
		}
	}
	return out
}
