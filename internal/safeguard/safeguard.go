// Package safeguard holds the automatic failover's safeguards in one pure
// function: policy.auto_failover, the hold switch, policy.max_auto_failovers
// within policy.auto_failover_window, and policy.cooldown per service. The
// caller reads the journal once and passes what it found, and the time.
package safeguard

import (
	"slices"
	"time"
)

// Policy is the part of the configuration's policy block the safeguards
// read.
type Policy struct {
	// Auto is policy.auto_failover.
	Auto bool
	// MaxAuto is policy.max_auto_failovers within Window.
	MaxAuto int
	Window  time.Duration
	// Cooldown is policy.cooldown: the least time between two automatic
	// failovers of one service; 0 turns it off.
	Cooldown time.Duration
}

// Hold is the hold switch.
type Hold struct {
	On     bool
	Since  time.Time
	Reason string
}

// Past is one operation in the journal.
type Past struct {
	ID        string
	Automatic bool
	// Services are the services it moved; empty when it named one
	// service only (Service).
	Services []string
	Service  string
	Started  time.Time
}

func (p Past) concerns(service string) bool {
	return p.Service == service || slices.Contains(p.Services, service)
}

// Facts are what the journal says, read once for one decision.
type Facts struct {
	Hold Hold
	// History is every operation, newest first.
	History []Past
}

// Kind is who asks.
type Kind int

const (
	// Automatic is a new move the daemon starts by itself.
	Automatic Kind = iota
	// Manual is a person's operation: never held.
	Manual
	// Resume is the daemon finishing an unfinished operation: only the
	// hold switch stops it. The cooldown and the count gate new moves,
	// not the finishing of one under way.
	Resume
)

// Request is what is asked.
type Request struct {
	Kind Kind
	// Moves are the services a plan would move (checked against the
	// cooldown); empty before there is a plan.
	Moves []string
}

// Rule names the safeguard that stops a whole request.
type Rule string

const (
	None    Rule = ""
	AutoOff Rule = "auto_off"
	Held    Rule = "hold"
	MaxAuto Rule = "max_auto"
)

// Verdict is the safeguards' answer.
type Verdict struct {
	// Rule stops the whole request; None lets it through.
	Rule Rule
	// Recent counts the automatic failovers begun within the window
	// (for an automatic request).
	Recent int
	// Cooling are the moves the cooldown holds back, in Moves' order.
	// They are found whatever Rule says: the engine holds them back in
	// a plan the daemon's gates let through.
	Cooling []Cooling
}

// Cooling is one move the cooldown holds back.
type Cooling struct {
	Service string
	// Last is the automatic failover of Service that began within the
	// cooldown, Ago before now.
	Last Past
	Ago  time.Duration
}

// Allowed reports whether the request may go ahead at all; moves in
// Cooling are still held back.
func (v Verdict) Allowed() bool { return v.Rule == None }

// Check applies the policy's safeguards to req at now.
func Check(p Policy, f Facts, now time.Time, req Request) Verdict {
	var v Verdict
	switch req.Kind {
	case Manual:
		return v
	case Resume:
		if f.Hold.On {
			v.Rule = Held
		}
		return v
	}
	since := now.Add(-p.Window)
	for _, op := range f.History {
		if op.Started.Before(since) {
			break // newest first
		}
		if op.Automatic {
			v.Recent++
		}
	}
	switch {
	case !p.Auto:
		v.Rule = AutoOff
	case f.Hold.On:
		v.Rule = Held
	case v.Recent >= p.MaxAuto:
		v.Rule = MaxAuto
	}
	if p.Cooldown <= 0 {
		return v
	}
	for _, s := range req.Moves {
		// The service's last automatic failover decides, not an older one.
		i := slices.IndexFunc(f.History, func(op Past) bool { return op.Automatic && op.concerns(s) })
		if i < 0 {
			continue
		}
		if ago := now.Sub(f.History[i].Started); ago < p.Cooldown {
			v.Cooling = append(v.Cooling, Cooling{Service: s, Last: f.History[i], Ago: ago})
		}
	}
	return v
}
