package health

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// schedGroup is one provider's place in the schedule. It outlives the
// groups swapped into it, so its phase and the order of its rounds do.
type schedGroup struct {
	provider string

	// The round's state: set by the dispatcher at release, read by the
	// workers while the round is in flight (inflight orders the two).
	group   *Group
	tasks   []task
	results []Result // one per probe, written by the worker that ran it
	started time.Time
	waits   []*swapWait // told when this group's first round completes
	// inflight is set from release until the round's results reached
	// the monitor; pending counts its probes still running.
	inflight atomic.Bool
	pending  atomic.Int32

	// The dispatcher's own.
	next  time.Time // next slot
	index int       // in the heap; -1 when not scheduled
	// swap replaces group at the next release, so a round never mixes
	// old and new probes; swapWaits follow it.
	swap      *Group
	swapWaits []*swapWait
}

type task struct {
	g       *schedGroup
	idx     int
	due     time.Time // when its slot was released
	lastRun time.Time
	ranOnce bool
}

func (s *Scheduler) dispatch(ctx context.Context) {
	seed := s.opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	slot, interval := s.opts.Slot, s.opts.Interval
	var h groupHeap
	byName := map[string]*schedGroup{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		for _, set := range s.takeSets() {
			s.apply(set, &h, byName, now, rng)
		}
		for len(h) > 0 && !h[0].next.After(now) {
			g := h[0]
			if g.inflight.Load() {
				s.skipped.Add(1)
			} else if !s.release(ctx, g, now) {
				return
			}
			g.next = g.next.Add(interval)
			if g.next.Before(now) { // far behind (a stalled machine): do not burst to catch up
				g.next = now.Truncate(slot).Add(slot)
			}
			heap.Fix(&h, 0)
		}
		var wake <-chan time.Time
		if len(h) > 0 {
			timer.Reset(h[0].next.Sub(now))
			wake = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.changed:
		case <-wake:
		}
	}
}

// phase places a newly scheduled group on the slot grid within one
// interval from now, so groups added together are spread, not bunched.
func (s *Scheduler) phase(now time.Time, rng *rand.Rand) time.Time {
	slot := s.opts.Slot
	return now.Truncate(slot).Add(time.Duration(rng.Int64N(int64(s.opts.Interval/slot)+1)) * slot)
}

// release hands a group's due probes to the workers, first swapping in
// its new probes if it has some. It returns false when ctx ended first.
func (s *Scheduler) release(ctx context.Context, g *schedGroup, now time.Time) bool {
	if g.swap != nil {
		g.install(g.swap, g.swapWaits)
		g.swap, g.swapWaits = nil, nil
	}
	if len(g.tasks) == 0 { // nothing to probe: no round, no evidence
		for _, w := range g.waits {
			w.one()
		}
		g.waits = nil
		return true
	}
	var due []*task
	for i := range g.tasks {
		t := &g.tasks[i]
		// A check with a longer interval of its own keeps its last result
		// for the rounds in between.
		if t.ranOnce && g.group.Probes[i].Interval > s.opts.Interval && now.Sub(t.lastRun) < g.group.Probes[i].Interval-s.opts.Slot {
			continue
		}
		due = append(due, t)
	}
	g.inflight.Store(true)
	g.started = now
	if len(due) == 0 {
		s.finish(g)
		return true
	}
	g.pending.Store(int32(len(due)))
	for _, t := range due {
		t.due, t.lastRun, t.ranOnce = g.next, now, true
		select {
		case s.work <- t:
		default:
			// The queue is full only when lists grew past twice their
			// first size: wait for the workers rather than drop a probe.
			select {
			case s.work <- t:
			case <-ctx.Done():
				return false
			}
		}
	}
	return true
}

// install makes gr the group whose probes the next rounds run.
func (g *schedGroup) install(gr *Group, waits []*swapWait) {
	g.group, g.waits = gr, waits
	g.results = make([]Result, len(gr.Probes))
	g.tasks = make([]task, len(gr.Probes))
	for i := range g.tasks {
		g.tasks[i] = task{g: g, idx: i}
	}
}

type groupHeap []*schedGroup

func (h groupHeap) Len() int           { return len(h) }
func (h groupHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h groupHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *groupHeap) Push(x any) {
	g := x.(*schedGroup)
	g.index = len(*h)
	*h = append(*h, g)
}
func (h *groupHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	x.index = -1
	return x
}
