package statuspage

import (
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// page is everything the template prints, already worded: the template
// only lays it out, so the wording is tested without HTML.
type page struct {
	Refresh    int
	Rendered   string
	Observed   string
	Warnings   []string
	Daemon     *daemonView
	Providers  []providerView
	Services   []serviceView
	Data       []dataView
	DNS        []dnsView
	Operations []operationView
	Drills     []drillView
}

type daemonView struct {
	Since        string
	AutoFailover badge
	Hold         badge
	HoldReason   string
	HoldSince    string
	Running      string
	HeldBack     string
	HeldBackAt   string
	Schedules    []scheduleView
	Cluster      *clusterView
	TTL          []ttlView
}

// ttlView is one hosting provider at risk, and its records' TTL.
type ttlView struct {
	Word    string // "at risk" or "emergency TTL"
	Line    string
	Records []string
}

// clusterView is the lifeboat nodes as this one sees them.
type clusterView struct {
	Node      string
	Standing  badge // leads, follows, or cut off from etcd
	Explain   string
	Leader    string
	Error     string
	Providers []string // provider names, the table's columns
	Nodes     []nodeRow
	Agreement []string // one line per provider some node sees lost
}

type nodeRow struct {
	Node   string
	Leader bool
	Seen   []seenCell // in Providers order
}

type seenCell struct {
	Provider string
	State    badge
}

type scheduleView struct {
	Name, Mode, Service, Schedule, Next string
}

type providerView struct {
	Name   string
	State  badge
	Since  string
	Reason string
	Checks []checkView
}

type checkView struct {
	Name    string // service/check, or the check alone
	Kind    string
	Target  string
	Result  badge
	Latency string
	Reason  string
	Warning string
}

type serviceView struct {
	Name          string
	Placement     string
	Source        string
	Addresses     string
	ProviderState badge
	LastDrill     string
	DrillStale    bool
}

type dnsView struct {
	Name, Zone, Reason string
	State              badge
}

type operationView struct {
	ID       string
	Kind     string
	What     string
	Status   badge
	Started  string
	Age      string
	Took     string
	Summary  string
	Steps    []stepView
	Resumed  int
	Finished bool
}

type stepView struct {
	ID      string
	Attempt int
	Status  badge
	At      string // offset from the operation's start; the page adds "+"
	Took    string
	Error   string
}

type drillView struct {
	Name, Mode, Service, Target string
	Outcome                     badge
	Finished, Age               string
	Recovery                    string
	Problems                    []string
}

type errorView struct {
	Refresh   int
	Rendered  string
	What, Why string
}

func buildPage(doc *wire.StatusDoc, ops []wire.Operation, drills []wire.DrillReport, now time.Time, refresh, drillMaxAge time.Duration) *page {
	p := &page{
		Refresh:  refreshSeconds(refresh),
		Rendered: formatTime(now),
		Observed: formatTime(doc.At),
		Warnings: doc.Warnings,
		Daemon:   daemonOf(doc.Daemon),
	}
	for _, sp := range doc.Providers {
		p.Providers = append(p.Providers, providerOf(sp, now))
	}
	passed := lastPassed(drills)
	never := "no passed drill on record"
	if len(drills) >= drillsRead {
		// Only the newest reports were read: an older pass may exist.
		never = fmt.Sprintf("no passed drill in the last %d reports", len(drills))
	}
	for _, s := range doc.Services {
		p.Services = append(p.Services, serviceOf(s, passed, never, now, drillMaxAge))
	}
	p.Data = dataOf(doc.Data, doc.Backups)
	for _, d := range doc.DNS {
		p.DNS = append(p.DNS, dnsView{Name: d.Name, Zone: d.Zone, Reason: d.Reason, State: dnsBadge(d.State)})
	}
	busy := doc.Daemon == nil || doc.Daemon.Running != ""
	for i, op := range ops {
		if i == historyLimit {
			break
		}
		p.Operations = append(p.Operations, operationOf(op, now, busy))
	}
	for i, r := range drills {
		if i == drillsShown {
			break
		}
		p.Drills = append(p.Drills, drillOf(r, now))
	}
	return p
}

func daemonOf(d *wire.DaemonStatus) *daemonView {
	if d == nil {
		return nil
	}
	v := &daemonView{
		Since:        formatTime(d.Since),
		AutoFailover: badge{"off: a person runs lifeboat failover", toneWarn},
		Hold:         badge{"off", toneGood},
		Running:      d.Running,
		HeldBack:     d.HeldBack,
	}
	if d.HeldBack != "" {
		v.HeldBackAt = formatTime(d.HeldBackAt)
	}
	if d.AutoFailover {
		v.AutoFailover = badge{"on", toneGood}
	}
	if d.Hold {
		v.Hold = badge{"on: no automatic failover", toneWarn}
		v.HoldReason = d.HoldReason
		v.HoldSince = formatTime(d.HoldSince)
	}
	for _, s := range d.Drills {
		v.Schedules = append(v.Schedules, scheduleView{Name: s.Name, Mode: s.Mode, Service: s.Service, Schedule: s.Schedule, Next: formatTime(s.Next)})
	}
	v.Cluster = clusterOf(d.Cluster)
	for _, t := range d.TTL {
		tv := ttlView{Word: "at risk", Line: t.Provider + " since " + formatTime(t.AtRiskSince) + ": " + t.Reason + "; its records' TTL is not lowered yet"}
		if t.Lowered {
			tv = ttlView{Word: "emergency TTL", Line: t.Provider + "'s records (" + strings.Join(t.Services, ", ") + "), at risk since " + formatTime(t.AtRiskSince) + ": " + t.Reason,
				Records: t.Records}
			if !t.RestoreAt.IsZero() {
				tv.Line += "; healthy again, normal TTL back at " + formatTime(t.RestoreAt)
			}
		}
		v.TTL = append(v.TTL, tv)
	}
	return v
}

func clusterOf(c *wire.ClusterStatus) *clusterView {
	if c == nil {
		return nil
	}
	v := &clusterView{Node: c.Node, Leader: c.Leader, Error: c.Error}
	switch {
	case !c.Connected:
		v.Standing, v.Explain = badge{"cut off from etcd", toneBad}, "checking and reporting, taking no action"
	case c.Leading:
		v.Standing, v.Explain = badge{"leads", toneGood}, "fails over and runs drills"
	default:
		v.Standing, v.Explain = badge{"follows", toneNeutral}, "checks, reports and forwards operations to the leader"
	}
	for _, a := range c.Agreement {
		v.Providers = append(v.Providers, a.Provider)
		if len(a.Lost) > 0 {
			v.Agreement = append(v.Agreement, a.String())
		}
	}
	for _, n := range c.Nodes {
		row := nodeRow{Node: n.Node, Leader: n.Node == c.Leader}
		for _, p := range v.Providers {
			row.Seen = append(row.Seen, seenCell{Provider: p, State: providerBadge(n.Providers[p])})
		}
		v.Nodes = append(v.Nodes, row)
	}
	return v
}

func providerOf(sp wire.StatusProvider, now time.Time) providerView {
	v := providerView{Name: sp.Name, State: providerBadge(sp.State), Reason: sp.Reason}
	if sp.Since != nil && !sp.Since.IsZero() {
		v.Since = ago(*sp.Since, now)
	}
	for _, c := range sp.Checks {
		name := c.Check
		if c.Service != "" {
			name = c.Service + "/" + c.Check
		}
		cv := checkView{Name: name, Kind: c.Kind, Target: c.Target, Reason: c.Reason, Warning: c.Warning,
			Result: checkBadge(checkInput{OK: c.OK, Unknown: c.Unknown, AccountLost: c.AccountLost, Warning: c.Warning, At: c.At})}
		if !c.At.IsZero() {
			cv.Latency = latency(c.LatencyMS)
		}
		v.Checks = append(v.Checks, cv)
	}
	return v
}

// lastPassed maps each service to the end of its newest passed drill.
// An aborted drill never passed, whatever its steps did.
func lastPassed(drills []wire.DrillReport) map[string]wire.DrillReport {
	out := map[string]wire.DrillReport{}
	for _, r := range drills {
		if !r.OK || r.Aborted {
			continue
		}
		if prev, ok := out[r.Service]; !ok || r.Finished.After(prev.Finished) {
			out[r.Service] = r
		}
	}
	return out
}

// serviceOf words one service; never is what to say of one without a
// passed drill among the reports read.
func serviceOf(s wire.StatusService, passed map[string]wire.DrillReport, never string, now time.Time, drillMaxAge time.Duration) serviceView {
	v := serviceView{Name: s.Name, Placement: s.Placement, Addresses: strings.Join(s.Addresses, ", "),
		ProviderState: providerBadge(s.ProviderState)}
	switch s.Source {
	case "first_candidate":
		v.Source = "its first candidate: no operation has moved it"
	case "journal":
		v.Source = "moved there by an operation"
	}
	if s.Placement == "" {
		v.ProviderState = providerBadge(health.StateUnknown)
	}
	r, ok := passed[s.Name]
	switch {
	case !ok:
		v.LastDrill, v.DrillStale = never, true
	default:
		label := "drill " + r.Name
		if r.Mode != "" {
			label = string(r.Mode) + " " + label
		}
		v.LastDrill = ago(r.Finished, now) + " (" + label + ")"
		v.DrillStale = now.Sub(r.Finished) > drillMaxAge
	}
	return v
}

// operationOf words one operation. busy says whether something may be
// working on an operation the journal has as running: a daemon that runs
// nothing leaves such an operation unfinished, not running.
func operationOf(op wire.Operation, now time.Time, busy bool) operationView {
	v := operationView{ID: op.ID, Kind: op.Kind, Status: opBadge(op.Status, busy), Started: formatTime(op.Started),
		Age: ago(op.Started, now), Summary: op.Summary, Resumed: len(op.Resumed), Finished: !op.Finished.IsZero()}
	services := op.Services
	if len(services) == 0 && op.Service != "" {
		services = []string{op.Service}
	}
	var what []string
	if len(services) > 0 {
		what = append(what, strings.Join(services, ", "))
	}
	if op.From != "" {
		what = append(what, "from "+op.From)
	}
	if op.To != "" {
		what = append(what, "to "+op.To)
	}
	v.What = strings.Join(what, " ")
	if v.Finished {
		v.Took = duration(op.Finished.Sub(op.Started))
	}
	for _, st := range op.Steps {
		sv := stepView{ID: st.ID, Attempt: st.Attempt, Status: stepBadge(st.Status), Error: st.Error,
			At: duration(st.Started.Sub(op.Started))}
		if !st.Finished.IsZero() {
			sv.Took = duration(st.Finished.Sub(st.Started))
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

func opBadge(s wire.OperationStatus, busy bool) badge {
	switch s {
	case wire.StatusSucceeded:
		return badge{"succeeded", toneGood}
	case wire.StatusRunning:
		if busy {
			return badge{"running", toneWarn}
		}
		return badge{"unfinished", toneBad}
	case wire.StatusFailed:
		return badge{"failed", toneBad}
	case wire.StatusAborted:
		return badge{"aborted", toneWarn}
	}
	return badge{string(s), toneNeutral}
}

func stepBadge(s wire.StepStatus) badge {
	switch s {
	case wire.StepOK:
		return badge{"ok", toneGood}
	case wire.StepRunning:
		return badge{"running", toneWarn}
	case wire.StepFailed:
		return badge{"failed", toneBad}
	case wire.StepSkipped:
		return badge{"skipped", toneNeutral}
	case wire.StepInterrupted:
		return badge{"interrupted", toneWarn}
	}
	return badge{string(s), toneNeutral}
}

func drillOf(r wire.DrillReport, now time.Time) drillView {
	v := drillView{Name: r.Name, Mode: string(r.Mode), Service: r.Service, Target: r.Target,
		Finished: formatTime(r.Finished), Age: ago(r.Finished, now), Problems: r.Failures}
	switch {
	case r.Aborted:
		v.Outcome = badge{"aborted", toneWarn}
		if r.AbortReason != "" {
			v.Problems = append([]string{r.AbortReason}, r.Failures...)
		}
	case r.OK:
		v.Outcome = badge{"passed", toneGood}
	default:
		v.Outcome = badge{"failed", toneBad}
	}
	if r.RecoveryTime > 0 {
		v.Recovery = duration(r.RecoveryTime)
	}
	return v
}
