package planner

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// JSON is the stable machine form of the plan: indented, keys in a fixed
// order (struct fields, maps sorted by encoding/json), durations in seconds.
func (r Result) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return append(b, '\n'), nil
}

// Text is the plan for a person, in the spirit of `terraform plan`: what
// moves from where to where, why, what was rejected and what to watch.
func (r Result) Text() string {
	var b strings.Builder
	b.WriteString(header(r.Request))
	b.WriteString("\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	if len(r.Lost) > 0 {
		b.WriteString("\nLeaving:\n")
		w := width(r.Lost, func(l LostProvider) string { return l.Name })
		for _, l := range r.Lost {
			vendor := l.Vendor
			if vendor == "" {
				vendor = "?"
			}
			fmt.Fprintf(&b, "  %-*s  vendor %s: %s\n", w, l.Name, vendor, l.Reason)
		}
	}
	sh := findShared(r.Services)
	sh.write(&b)
	for _, s := range r.Services {
		b.WriteString("\n")
		writeService(&b, s, r.Request.Kind, sh)
	}
	for _, z := range r.Zones {
		b.WriteString("\n")
		writeZone(&b, z)
	}
	b.WriteString("\n")
	b.WriteString(summary(r))
	b.WriteString("\n")
	return b.String()
}

func header(req Request) string {
	var what string
	switch req.Kind {
	case KindAutomatic:
		what = "an automatic failover"
	case KindManual:
		what = "a manual failover"
	case KindFailback:
		what = "a failback"
	case KindDrill:
		what = "a drill"
	default:
		what = string(req.Kind)
	}
	var args []string
	for _, kv := range [][2]string{{"service", req.Service}, {"from", req.From}, {"to", req.To}} {
		if kv[1] != "" {
			args = append(args, kv[0]+" "+kv[1])
		}
	}
	h := "Plan for " + what
	if len(args) > 0 {
		h += " (" + strings.Join(args, ", ") + ")"
	}
	return h + ". Nothing has been changed."
}

func summary(r Result) string {
	moves, blocked := r.Moves(), r.Blocked()
	stay := len(r.Services) - moves - blocked
	zones := ""
	if n := len(r.Zones); n > 0 {
		zones = fmt.Sprintf(" Zones: %d to re-delegate, %d held for a person, %d blocked.",
			r.Redelegations(), r.countZones(ZoneHeld), r.countZones(ZoneBlocked))
	}
	if moves == 0 && blocked == 0 && r.Redelegations() > 0 {
		return fmt.Sprintf("Plan: nothing moves (%d not affected, %d staying).", r.Unaffected, stay) + zones
	}
	if moves == 0 && blocked == 0 {
		return fmt.Sprintf("No changes: nothing moves (%d not affected, %d staying).", r.Unaffected, stay) + zones
	}
	return fmt.Sprintf("Plan: %d to move, %d blocked, %d staying, %d not affected.", moves, blocked, stay, r.Unaffected) + zones
}

func writeZone(b *strings.Builder, z ZonePlan) {
	switch z.Action {
	case ZoneRedelegate:
		fmt.Fprintf(b, "zone %s: RE-DELEGATE at %s to %s\n", z.Zone, z.Registrar, strings.Join(z.Keep, ", "))
	case ZoneHeld:
		fmt.Fprintf(b, "zone %s: RE-DELEGATION HELD at %s (to %s)\n", z.Zone, z.Registrar, strings.Join(z.Keep, ", "))
	default:
		fmt.Fprintf(b, "zone %s: BLOCKED at %s\n", z.Zone, z.Registrar)
	}
	fmt.Fprintf(b, "  why: %s\n", z.Reason)
	for _, wn := range z.Warnings {
		fmt.Fprintf(b, "    ! %s\n", wn)
	}
	for i, st := range z.Steps {
		fmt.Fprintf(b, "    %d. %s  ns %s; dns %s\n", i+1, st.ID, strings.Join(st.NS, ", "), strings.Join(st.DNS, ", "))
		fmt.Fprintf(b, "         why: %s\n", st.Reason)
	}
}

var verdictMark = map[Verdict]string{VerdictChosen: "*", VerdictViable: "+", VerdictRejected: "x", VerdictSkipped: "-"}

func writeService(b *strings.Builder, s ServicePlan, kind Kind, sh shared) {
	switch s.Action {
	case ActionMove:
		fmt.Fprintf(b, "%s: MOVE %s -> %s\n", s.Service, orNone(s.From), s.To)
	case ActionBlocked:
		if s.To != "" {
			fmt.Fprintf(b, "%s: BLOCKED on %s (target %s found, but cannot be used)\n", s.Service, orNone(s.From), s.To)
		} else {
			fmt.Fprintf(b, "%s: BLOCKED on %s\n", s.Service, orNone(s.From))
		}
	default:
		fmt.Fprintf(b, "%s: stays on %s\n", s.Service, orNone(s.From))
	}
	fmt.Fprintf(b, "  why: %s\n", s.Reason)
	if len(s.Candidates) > 0 {
		b.WriteString("  candidates (in order of preference):\n")
		w := width(s.Candidates, func(c Candidate) string { return c.Provider })
		for _, c := range s.Candidates {
			fmt.Fprintf(b, "    %s %-*s  %-8s  %s\n", verdictMark[c.Verdict], w, c.Provider, c.Verdict, c.Reason)
			if c.Data != nil {
				// Under the reason, in its column.
				fmt.Fprintf(b, "      %*s  %8s  %s\n", w, "", "", dataText(*c.Data, c.Reason))
			}
		}
	}
	if s.ExpectedLoss != "" {
		if kind == KindDrill {
			fmt.Fprintf(b, "  data loss: %s, were this a real failover; the drill leaves the production data alone\n", s.ExpectedLoss)
		} else {
			fmt.Fprintf(b, "  data loss: %s\n", s.ExpectedLoss)
		}
	}
	if s.AcceptedDataLoss != "" {
		fmt.Fprintf(b, "  data loss accepted by the request: %s\n", s.AcceptedDataLoss)
	}
	if len(s.DNS) > 0 {
		b.WriteString("  dns:\n")
		w := width(s.DNS, func(d DNSChoice) string { return d.Name })
		for _, d := range s.DNS {
			reason := d.Reason
			if len(sh.dnsFor[d]) > 1 {
				reason = "(under DNS problems above)"
			}
			fmt.Fprintf(b, "    %s\n", dnsLine(d, w, reason))
		}
	}
	var own []string
	inShared := 0
	for i, wn := range s.Warnings {
		switch {
		case slices.Contains(s.Warnings[:i], wn), echoesDNS(wn, s.DNS):
		case len(sh.warnFor[wn]) > 1:
			inShared++
		default:
			own = append(own, wn)
		}
	}
	if len(own) > 0 || inShared > 0 {
		b.WriteString("  warnings:\n")
		for _, wn := range own {
			fmt.Fprintf(b, "    ! %s\n", wn)
		}
		if inShared > 0 {
			fmt.Fprintf(b, "    ! %d more, shared with other services: under Warnings above\n", inShared)
		}
	}
	if len(s.Steps) > 0 {
		b.WriteString("  steps:\n")
		w := width(s.Steps, func(st Step) string { return st.ID })
		for i, st := range s.Steps {
			fmt.Fprintf(b, "    %d. %-*s  %s\n", i+1, w, st.ID, stepDetail(st))
			for _, k := range slices.Sorted(maps.Keys(st.Vars)) {
				fmt.Fprintf(b, "         var %s = %q\n", k, st.Vars[k])
			}
			fmt.Fprintf(b, "         why: %s\n", st.Reason)
		}
	}
}

// dataText is a candidate's data for a person: "data 42s old, fresh
// (replica replayed to 0/3000060)". The measurement's reason is left out
// when the verdict's reason above already quotes it.
func dataText(d CandidateData, verdict string) string {
	t := "data age unknown"
	if d.AgeKnown {
		t = "data " + fmtAge(d.Age()) + " old, " + string(d.State)
	} else if d.State != DataUnknown {
		t += ", " + string(d.State)
	}
	if d.Reason != "" && !strings.Contains(verdict, d.Reason) {
		t += " (" + d.Reason + ")"
	}
	return t
}

func stepDetail(st Step) string {
	var parts []string
	if st.Data != "" {
		parts = append(parts, st.Provider+": data "+st.Data)
	}
	if st.Workspace != nil {
		parts = append(parts, fmt.Sprintf("%s: workspace %s in %s", st.Provider, st.Workspace.Name, st.Workspace.Dir))
	} else if st.Kind == StepWaitHealthy {
		parts = append(parts, st.Provider)
	}
	if st.Output != "" {
		parts = append(parts, "output "+st.Output)
	}
	if len(st.Addresses) > 0 {
		parts = append(parts, "addresses "+strings.Join(st.Addresses, ", "))
	}
	if len(st.Records) > 0 {
		parts = append(parts, "records "+strings.Join(st.Records, ", "))
	}
	if st.TTL > 0 {
		parts = append(parts, fmt.Sprintf("ttl %ds", st.TTL))
	}
	if len(st.DNS) > 0 {
		parts = append(parts, "dns "+strings.Join(st.DNS, ", "))
	}
	if st.Kind == StepNotify {
		if len(st.Notify) > 0 {
			parts = append(parts, "to "+strings.Join(st.Notify, ", "))
		} else {
			parts = append(parts, "journal only")
		}
	}
	if st.TimeoutSeconds > 0 {
		parts = append(parts, "within "+st.Timeout().String())
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "(nowhere)"
	}
	return s
}

func dnsLine(d DNSChoice, w int, reason string) string {
	mark, use := "x", "left out"
	if d.Use {
		mark, use = "*", "used"
	}
	return fmt.Sprintf("%s %-*s  %-8s  %s", mark, w, d.Name, use, reason)
}

// echoesDNS reports whether a warning only repeats a DNS provider left
// out, which the service's dns lines already show.
func echoesDNS(wn string, dns []DNSChoice) bool {
	for _, d := range dns {
		if !d.Use && wn == "dns "+d.Name+" left out of the cutover: "+d.Reason {
			return true
		}
	}
	return false
}

// shared is what several services' sections would each repeat: a DNS
// provider judged the same way for each (one DNS outage would otherwise
// print its error under every service), and the same warning. Text prints
// each once, above the services, with the services it concerns.
type shared struct {
	dns     []DNSChoice
	dnsFor  map[DNSChoice][]string
	warn    []string
	warnFor map[string][]string
}

func findShared(services []ServicePlan) shared {
	sh := shared{dnsFor: map[DNSChoice][]string{}, warnFor: map[string][]string{}}
	for _, s := range services {
		for _, d := range s.DNS {
			if sh.dnsFor[d] == nil {
				sh.dns = append(sh.dns, d)
			}
			sh.dnsFor[d] = append(sh.dnsFor[d], s.Service)
		}
		for _, wn := range slices.Compact(slices.Sorted(slices.Values(s.Warnings))) {
			if echoesDNS(wn, s.DNS) {
				continue
			}
			if sh.warnFor[wn] == nil {
				sh.warn = append(sh.warn, wn)
			}
			sh.warnFor[wn] = append(sh.warnFor[wn], s.Service)
		}
	}
	// A healthy provider in use is one short word: only problems are
	// worth gathering.
	sh.dns = slices.DeleteFunc(sh.dns, func(d DNSChoice) bool {
		return len(sh.dnsFor[d]) < 2 || (d.Use && d.State == StateHealthy)
	})
	for d := range sh.dnsFor {
		if !slices.Contains(sh.dns, d) {
			delete(sh.dnsFor, d)
		}
	}
	sh.warn = slices.DeleteFunc(sh.warn, func(wn string) bool { return len(sh.warnFor[wn]) < 2 })
	return sh
}

func (sh shared) write(b *strings.Builder) {
	if len(sh.dns) > 0 {
		b.WriteString("\nDNS problems, shown once for the services they concern:\n")
		w := width(sh.dns, func(d DNSChoice) string { return d.Name })
		for _, d := range sh.dns {
			fmt.Fprintf(b, "  %s\n", dnsLine(d, w, d.Reason))
			fmt.Fprintf(b, "      %s\n", servicesCount(sh.dnsFor[d]))
		}
	}
	if len(sh.warn) > 0 {
		b.WriteString("\nWarnings for several services:\n")
		for _, wn := range sh.warn {
			fmt.Fprintf(b, "  ! %s\n", wn)
			fmt.Fprintf(b, "      %s\n", servicesCount(sh.warnFor[wn]))
		}
	}
}

// servicesCount is "for 3 services: a, b, c", the names cut short after
// a few so a plan of a hundred services stays readable.
func servicesCount(names []string) string {
	const show = 6
	list := strings.Join(names[:min(show, len(names))], ", ")
	if len(names) > show {
		list += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return fmt.Sprintf("for %d services: %s", len(names), list)
}

// width is the longest name among xs, to align a column.
func width[T any](xs []T, name func(T) string) int {
	w := 0
	for _, x := range xs {
		w = max(w, len(name(x)))
	}
	return w
}
