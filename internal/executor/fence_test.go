package executor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// A leader that passed the fencing check at the start of the dns-cutover
// step, and is taken over (another orchestrator resumes the operation)
// before it writes to DNS, writes nothing: the fence is checked again
// right before each write attempt at each DNS provider.
func TestCutoverFencedBeforeDNSWrite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, other := fencedWorld(ctx, t)

	var inCutover atomic.Bool
	var once sync.Once
	var resumeErr error
	takeOver := func() {
		if !inCutover.Load() {
			return
		}
		once.Do(func() { resumeErr = takeOver(ctx, other) })
	}
	for _, f := range w.dns {
		f.beforeGet = takeOver
	}
	e := w.executor(func(key, phase string) {
		if key == "www/bravo/dns-cutover" && phase == "started" {
			inCutover.Store(true)
		}
	})
	_, err := e.Start(ctx, w.plan(), "manual")
	if resumeErr != nil {
		t.Fatalf("taking the operation over: %v", resumeErr)
	}
	if !inCutover.Load() {
		t.Fatalf("the dns-cutover step never started: %v", err)
	}
	if !errors.Is(err, journal.ErrFenced) {
		t.Errorf("Start: %v, want ErrFenced", err)
	}
	for name, f := range w.dns {
		f.mu.Lock()
		sets, written := f.sets, f.written
		f.mu.Unlock()
		if sets != 0 || len(written) != 0 {
			t.Errorf("%s: the fenced-out writer wrote %d times (addresses %v)", name, sets, written)
		}
	}
}

// The fence is checked before each write, not only before an attempt's
// first: a leader that wrote the ownership marks and was then paused (and
// taken over) before writing the addresses writes no address when it
// wakes up.
func TestCutoverFencedBetweenDNSWrites(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, other := fencedWorld(ctx, t)

	var once sync.Once
	var resumeErr error
	// The first DNS provider to get its marks is where the writer is
	// paused; the other, written in parallel, may have been written
	// before the take-over, rightly.
	var paused atomic.Pointer[fakeDNS]
	for _, f := range w.dns {
		f.afterSet = func(types []string) {
			if len(types) == 0 || types[0] != "TXT" {
				return
			}
			once.Do(func() {
				paused.Store(f)
				resumeErr = takeOver(ctx, other)
			})
		}
	}
	_, err := w.executor(nil).Start(ctx, w.plan(), "manual")
	if resumeErr != nil {
		t.Fatalf("taking the operation over: %v", resumeErr)
	}
	f := paused.Load()
	if f == nil {
		t.Fatalf("no ownership marks were written, the test did not run as meant: %v", err)
	}
	if !errors.Is(err, journal.ErrFenced) {
		t.Errorf("Start: %v, want ErrFenced", err)
	}
	f.mu.Lock()
	written := f.written
	f.mu.Unlock()
	if len(written) != 0 {
		t.Errorf("%s: the fenced-out writer wrote addresses %v after its marks", f.name, written)
	}
}

// fencedWorld is a world whose journal is a real etcd, and a second
// handle on it: the orchestrator that takes the operation over.
func fencedWorld(ctx context.Context, t *testing.T) (*world, *journal.Etcd) {
	t.Helper()
	endpoint := testharness.StartEtcdCluster(t, 1).Endpoints()[0]
	open := func() *journal.Etcd {
		j, err := journal.OpenEtcd(ctx, journal.EtcdOptions{Endpoints: []string{endpoint}, Prefix: "/fence-test/"})
		if err != nil {
			t.Fatalf("OpenEtcd: %v", err)
		}
		t.Cleanup(func() { _ = j.Close() })
		return j
	}
	w := newWorld(t)
	w.journal = open()
	return w, open()
}

// takeOver resumes the one unfinished operation through other, as a new
// leader does: the first handle's fencing token is then stale.
func takeOver(ctx context.Context, other *journal.Etcd) error {
	ops, err := other.UnfinishedAll(ctx)
	if err != nil || len(ops) != 1 {
		return errors.Join(err, errors.New("no single unfinished operation to take over"))
	}
	_, err = other.Resume(ctx, ops[0].ID, time.Now())
	return err
}
