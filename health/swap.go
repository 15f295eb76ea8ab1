package health

import (
	"container/heap"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// groupSet is one list of groups given to SetGroups.
type groupSet struct {
	groups []*Group
	wait   *swapWait
}

// swapWait counts the groups of one list that have yet to complete a
// round on their new probes.
type swapWait struct {
	left atomic.Int64
	done chan struct{}
}

func (w *swapWait) one() {
	if w.left.Add(-1) == 0 {
		close(w.done)
	}
}

// SetGroups replaces the scheduled groups; it may be called from any
// goroutine, before or while Run runs. Groups are matched by provider:
//   - a listed provider's new group replaces its old one from its next
//     round on, at the same phase within the interval (no burst); a round
//     in flight finishes with the old probes and still reaches the monitor;
//   - a provider not scheduled before is given a phase within one
//     interval, and the monitor starts watching it if it did not;
//   - a provider no longer listed is no longer probed.
//
// The monitor keeps every state machine and streak: a swap is not a restart.
func (s *Scheduler) SetGroups(groups []*Group) { s.SwapGroups(groups) }

// SwapGroups is SetGroups that also returns a channel closed once every
// listed provider has completed a round on the probes of this list (or of
// a later list) and the monitor has seen it, or has been dropped by a
// later list. A provider whose group has no probes counts at once. The
// channel is never closed if Run returns first: wait on your context too.
func (s *Scheduler) SwapGroups(groups []*Group) <-chan struct{} {
	w := &swapWait{done: make(chan struct{})}
	w.left.Store(int64(len(groups)))
	if len(groups) == 0 {
		close(w.done)
	}
	names := make([]string, len(groups))
	probes := 0
	for i, g := range groups {
		names[i] = g.Provider
		probes += len(g.Probes)
	}
	s.monitor.Watch(names...)
	s.mu.Lock()
	s.sets = append(s.sets, groupSet{groups: append([]*Group(nil), groups...), wait: w})
	s.maxProbes = max(s.maxProbes, probes)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default: // a wake-up is already pending
	}
	return w.done
}

// takeSets hands the lists given since the last call to the dispatcher.
func (s *Scheduler) takeSets() []groupSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	sets := s.sets
	s.sets = nil
	return sets
}

// apply makes set the schedule (dispatcher only): listed providers get
// their new group at their next release, new ones a phase, and unlisted
// ones leave the heap.
func (s *Scheduler) apply(set groupSet, h *groupHeap, byName map[string]*schedGroup, now time.Time, rng *rand.Rand) {
	listed := make(map[string]bool, len(set.groups))
	for _, gr := range set.groups {
		listed[gr.Provider] = true
		g := byName[gr.Provider]
		if g == nil {
			g = &schedGroup{provider: gr.Provider, index: -1}
			byName[gr.Provider] = g
		}
		if g.index < 0 {
			g.next = s.phase(now, rng)
			heap.Push(h, g)
		}
		// A swap not yet released is superseded: its waiters now wait
		// for this group.
		g.swap = gr
		g.swapWaits = append(g.swapWaits, set.wait)
	}
	for name, g := range byName {
		if listed[name] {
			continue
		}
		if g.index >= 0 {
			heap.Remove(h, g.index)
		}
		for _, w := range g.swapWaits {
			w.one()
		}
		g.swap, g.swapWaits = nil, nil
		// A round still in flight keeps its entry, so the provider cannot
		// run two rounds at once if it is listed again soon.
		if !g.inflight.Load() {
			delete(byName, name)
		}
	}
}
