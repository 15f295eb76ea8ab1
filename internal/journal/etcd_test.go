package journal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/journal/journaltest"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func openEtcd(t *testing.T, endpoint, prefix string) *journal.Etcd {
	t.Helper()
	j, err := journal.OpenEtcd(testCtx(t), journal.EtcdOptions{
		Endpoints: []string{endpoint}, Prefix: prefix, MaxRecordsPerKind: testRecordsPerKind,
	})
	if err != nil {
		t.Fatalf("OpenEtcd: %v", err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func TestEtcdConformance(t *testing.T) {
	endpoint := etcdEndpoint(t)
	journaltest.RunWith(t, journaltest.Options{RecordsPerKind: testRecordsPerKind}, func(t *testing.T) func() (journal.Journal, error) {
		prefix := freshPrefix(t)
		return func() (journal.Journal, error) {
			return journal.OpenEtcd(context.Background(), journal.EtcdOptions{
				Endpoints: []string{endpoint}, Prefix: prefix, MaxRecordsPerKind: testRecordsPerKind,
			})
		}
	})
}

// A writer replaced by Resume on another node gets ErrFenced on every
// write, and none of what it tried is visible.
func TestEtcdStaleWriterFenced(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	a, b := openEtcd(t, endpoint, prefix), openEtcd(t, endpoint, prefix)

	op, err := a.Begin(ctx, journal.Operation{Kind: "failover", Services: []string{"www"}, Started: t0})
	must(t, err)
	stale := op.Ref()
	must(t, a.StepStarted(ctx, stale, "apply", t0.Add(time.Second)))

	taken, err := b.Resume(ctx, op.ID, t0.Add(2*time.Second))
	must(t, err)
	if taken.Fence <= stale.Fence {
		t.Fatalf("Resume gave fence %d, not above %d", taken.Fence, stale.Fence)
	}
	before, err := b.Operation(ctx, op.ID)
	must(t, err)

	at := t0.Add(3 * time.Second)
	for name, err := range map[string]error{
		"StepStarted":  a.StepStarted(ctx, stale, "dns-cutover", at),
		"StepFinished": a.StepFinished(ctx, stale, "apply", journal.StepResult{Status: journal.StepOK, Outputs: map[string]string{"ip": "127.0.0.9"}, At: at}),
		"SetPlacement": a.SetPlacement(ctx, stale, "www", "stale-target", at),
		"Finish":       a.Finish(ctx, stale, journal.StatusSucceeded, "stale", at),
	} {
		if !errors.Is(err, journal.ErrFenced) {
			t.Errorf("%s with the stale fence: got %v, want ErrFenced", name, err)
		}
	}

	after, err := a.Operation(ctx, op.ID)
	must(t, err)
	if after.Status != journal.StatusRunning || len(after.Steps) != len(before.Steps) || after.Summary != "" {
		t.Errorf("the stale writes left a trace: status %s, %d steps (want %d), summary %q", after.Status, len(after.Steps), len(before.Steps), after.Summary)
	}
	if st, _ := after.Step("apply"); st.Status != journal.StepInterrupted || st.Outputs != nil {
		t.Errorf("apply after the takeover = %+v, want interrupted without outputs", st)
	}
	p, err := a.Placement(ctx)
	must(t, err)
	if len(p) != 0 {
		t.Errorf("placement after a stale SetPlacement = %v, want none", p)
	}
	if u, err := a.Unfinished(ctx); err != nil || u == nil || u.ID != op.ID {
		t.Errorf("Unfinished after a stale Finish = %v, %v; want %s still unfinished", u, err, op.ID)
	}
	// The new writer carries on.
	must(t, b.SetPlacement(ctx, taken.Ref(), "www", "bravo", at))
	must(t, b.Finish(ctx, taken.Ref(), journal.StatusSucceeded, "", at))
}

// A Resume racing a writer's stream of steps: every write the old writer
// was told succeeded is kept, and none it was refused appears. Without the
// revision compare, Resume and the writer would overwrite each other's
// read-modify-write of the operation.
func TestEtcdResumeRacesWriter(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	a, b := openEtcd(t, endpoint, prefix), openEtcd(t, endpoint, prefix)
	op, err := a.Begin(ctx, journal.Operation{Kind: "failover", Started: t0})
	must(t, err)

	var (
		mu      sync.Mutex
		written []string
		last    error
	)
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; i < 2000 && time.Now().Before(deadline); i++ {
			id := fmt.Sprintf("step-%d", i)
			err := a.StepFinished(ctx, op.Ref(), id, journal.StepResult{Status: journal.StepOK, At: t0})
			mu.Lock()
			if err == nil {
				written = append(written, id)
			}
			last = err
			mu.Unlock()
			if i == 5 {
				close(started)
			}
			if err != nil {
				return
			}
		}
	})
	<-started
	_, err = b.Resume(ctx, op.ID, t0.Add(time.Second))
	must(t, err)
	wg.Wait()

	if !errors.Is(last, journal.ErrFenced) {
		t.Fatalf("the old writer stopped with %v, want ErrFenced", last)
	}
	got, err := b.Operation(ctx, op.ID)
	must(t, err)
	var ids []string
	for _, s := range got.Steps {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != strings.Join(written, ",") {
		t.Errorf("steps kept = %v\nwrites that succeeded = %v", ids, written)
	}
}

// A refused login names neither the password nor any part of the
// configuration's secret.
func TestEtcdRefusedLoginHidesPassword(t *testing.T) {
	e, err := startEtcd(t, t.TempDir())
	if err != nil {
		t.Fatalf("embedded etcd: %v", err)
	}
	t.Cleanup(e.Close)
	endpoint := "http://" + e.Clients[0].Addr().String()
	ctx := testCtx(t)

	const rootPassword = "root-pw-0cc1a9"
	admin := rawClient(t, endpoint)
	_, err = admin.UserAdd(ctx, "root", rootPassword)
	must(t, err)
	_, err = admin.UserGrantRole(ctx, "root", "root")
	must(t, err)
	_, err = admin.AuthEnable(ctx)
	must(t, err)

	const wrong = "s3cret-wrong-7f3e2d"
	j, err := journal.OpenEtcd(ctx, journal.EtcdOptions{
		// etcd checks a password with bcrypt: seconds under the race
		// detector on a loaded machine.
		Endpoints: []string{endpoint}, Username: "root", Password: wrong, DialTimeout: 30 * time.Second,
	})
	if err == nil {
		j.Close()
		t.Fatal("OpenEtcd with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("the error does not say the login was refused: %v", err)
	}

	// The right password works, so the refusal above was the password's.
	j, err = journal.OpenEtcd(ctx, journal.EtcdOptions{Endpoints: []string{endpoint}, Username: "root", Password: rootPassword})
	must(t, err)
	defer j.Close()
	_, err = j.Begin(ctx, journal.Operation{Kind: "drill", Started: t0})
	must(t, err)
}

// A value that does not decode is ErrCorrupt naming its key, never
// skipped or overwritten.
func TestEtcdCorruptValueNamesKey(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	j := openEtcd(t, endpoint, prefix)
	op, err := j.Begin(ctx, journal.Operation{Kind: "failover", Started: t0})
	must(t, err)
	_, err = j.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0, Summary: "on"})
	must(t, err)

	raw := rawClient(t, endpoint)
	opKey := prefix + "ops/00000000000000000001"
	_, err = raw.Put(ctx, opKey, "{not json")
	must(t, err)
	recKey := prefix + "records/all/00000000000000000001"
	_, err = raw.Put(ctx, recKey, "\x00")
	must(t, err)

	for name, err := range map[string]error{
		"Operation":     func() error { _, err := j.Operation(ctx, op.ID); return err }(),
		"Operations":    func() error { _, err := j.Operations(ctx, 0); return err }(),
		"UnfinishedAll": func() error { _, err := j.UnfinishedAll(ctx); return err }(),
		"StepStarted":   j.StepStarted(ctx, op.Ref(), "apply", t0),
	} {
		if !errors.Is(err, journal.ErrCorrupt) || !strings.Contains(err.Error(), opKey) {
			t.Errorf("%s on a damaged operation: %v; want ErrCorrupt naming %s", name, err, opKey)
		}
	}
	_, err = j.Records(ctx, "", 0)
	if !errors.Is(err, journal.ErrCorrupt) || !strings.Contains(err.Error(), recKey) {
		t.Errorf("Records with a damaged record: %v; want ErrCorrupt naming %s", err, recKey)
	}
	if resp, err := raw.Get(ctx, opKey); err != nil || string(resp.Kvs[0].Value) != "{not json" {
		t.Errorf("the damaged value was changed: %v", err)
	}
}

// Read-only refuses every write and still reads.
func TestEtcdReadOnly(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	w := openEtcd(t, endpoint, prefix)
	op, err := w.Begin(ctx, journal.Operation{Kind: "failover", Started: t0})
	must(t, err)
	ro, err := journal.OpenEtcd(ctx, journal.EtcdOptions{Endpoints: []string{endpoint}, Prefix: prefix, ReadOnly: true})
	must(t, err)
	defer ro.Close()
	_, err = ro.Begin(ctx, journal.Operation{Kind: "drill", Services: []string{"other"}, Started: t0})
	wantIs(t, "Begin read-only", err, journal.ErrInvalid)
	wantIs(t, "StepStarted read-only", ro.StepStarted(ctx, op.Ref(), "apply", t0), journal.ErrInvalid)
	_, err = ro.Append(ctx, journal.Record{Kind: journal.RecordHold, At: t0})
	wantIs(t, "Append read-only", err, journal.ErrInvalid)
	if got, err := ro.Operation(ctx, op.ID); err != nil || got.Status != journal.StatusRunning || len(got.Steps) != 0 {
		t.Errorf("read-only Operation = %+v, %v", got, err)
	}
}

func TestEtcdUnreachable(t *testing.T) {
	// A port nothing listens on, on loopback.
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", testharness.FreePort(t, "127.0.0.1"))
	start := time.Now()
	_, err := journal.OpenEtcd(context.Background(), journal.EtcdOptions{
		Endpoints: []string{endpoint}, Password: "pw-unreachable-1", Username: "u", DialTimeout: 300 * time.Millisecond,
	})
	if err == nil {
		t.Fatal("OpenEtcd to nothing succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("OpenEtcd took %s, the dial timeout is 300ms", took)
	}
	if strings.Contains(err.Error(), "pw-unreachable-1") {
		t.Errorf("the error shows the password: %v", err)
	}
}

func wantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got %v, want %v", what, err, target)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Begins and Resumes from several nodes at once never hand out the same
// fencing token twice: both take it from one counter, in transactions
// that compare it.
func TestEtcdFencesUniqueUnderConcurrency(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	nodes := []*journal.Etcd{openEtcd(t, endpoint, prefix), openEtcd(t, endpoint, prefix), openEtcd(t, endpoint, prefix)}
	var ids []string
	for i := range 3 {
		op, err := nodes[0].Begin(ctx, journal.Operation{Kind: "failover", Services: []string{fmt.Sprintf("held-%d", i)}, Started: t0})
		must(t, err)
		ids = append(ids, op.ID)
	}
	var (
		mu     sync.Mutex
		fences []uint64
		errs   []error
	)
	record := func(f uint64, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		fences = append(fences, f)
	}
	var wg sync.WaitGroup
	for n, node := range nodes {
		wg.Go(func() {
			for i := range 8 {
				op, err := node.Resume(ctx, ids[(n+i)%len(ids)], t0)
				record(op.Fence, err)
			}
		})
		wg.Go(func() {
			for i := range 8 {
				op, err := node.Begin(ctx, journal.Operation{Kind: "drill", Services: []string{fmt.Sprintf("n%d-%d", n, i)}, Started: t0})
				record(op.Fence, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d calls failed, the first: %v", len(errs), errs[0])
	}
	seen := map[uint64]bool{}
	for _, f := range fences {
		if seen[f] {
			t.Errorf("fence %d was issued twice", f)
		}
		seen[f] = true
	}
}
