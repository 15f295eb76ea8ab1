package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// roundsAt reads how many rounds of checks the daemon serving cfg has run;
// ok is false while no daemon answers.
func (w *world) roundsAt(cfg string) (int, bool) {
	w.t.Helper()
	r := w.lifeboatAt(cfg, nil, "status", "-o", "json")
	var doc struct {
		Rounds int              `json:"rounds"`
		Daemon *json.RawMessage `json:"daemon"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Daemon == nil {
		return 0, false
	}
	return doc.Rounds, true
}

// waitRoundsAt waits until the daemon serving cfg has run n more rounds of
// checks than when called. A test showing that the daemon does NOT act
// waits on this instead of a guessed sleep: the policy counts rounds, so
// rounds are what the absence must last.
func (w *world) waitRoundsAt(cfg string, n int) {
	w.t.Helper()
	var start int
	waitFor(w.t, 30*time.Second, "the daemon answers status", func() bool {
		var ok bool
		start, ok = w.roundsAt(cfg)
		return ok
	})
	waitFor(w.t, time.Duration(n)*5*time.Second+10*time.Second, fmt.Sprintf("%d more rounds of checks", n), func() bool {
		got, ok := w.roundsAt(cfg)
		return ok && got >= start+n
	})
}

// waitRounds is waitRoundsAt for the world's own configuration.
func (w *world) waitRounds(n int) {
	w.t.Helper()
	w.waitRoundsAt(w.cfg, n)
}
