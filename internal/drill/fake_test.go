package drill

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/terraform"
)

// fakeWS is a workspace whose state is a list of resources: Apply with
// "active"="true" makes one, anything else none.
type fakeWS struct {
	mu         sync.Mutex
	resources  []string
	addrs      []string
	applied    []map[string]string
	destroyed  int
	planned    int
	planErr    error
	planChange bool
	initErr    error // every call that prepares the workspace fails with it
	onApply    func()
}

func (w *fakeWS) Plan(ctx context.Context, vars map[string]string, out string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.planned++
	if w.initErr != nil {
		return false, w.initErr
	}
	return w.planChange, w.planErr
}

func (w *fakeWS) Apply(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error {
	w.mu.Lock()
	w.applied = append(w.applied, maps.Clone(vars))
	want := []string(nil)
	if vars["active"] == "true" {
		want = []string{"host"}
	}
	changed := len(want) != len(w.resources)
	w.resources = want
	w.mu.Unlock()
	if changed && progress != nil {
		progress(terraform.Event{Type: "apply_start", Resource: "host"})
	}
	if w.onApply != nil {
		w.onApply()
	}
	return ctx.Err()
}

func (w *fakeWS) Destroy(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.destroyed++
	w.resources = nil
	return nil
}

func (w *fakeWS) Addresses(ctx context.Context, output string) ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.resources) == 0 {
		return nil, nil
	}
	return w.addrs, nil
}

func (w *fakeWS) Resources(ctx context.Context) ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.initErr != nil {
		return nil, w.initErr
	}
	return append([]string{}, w.resources...), nil
}

// fakeChecker passes once ok is set.
type fakeChecker struct {
	ok     bool
	rounds int
	seen   [][]string
}

func (c *fakeChecker) CheckService(ctx context.Context, service string, addrs []string) (bool, string, error) {
	c.rounds++
	c.seen = append(c.seen, addrs)
	if c.ok {
		return true, "", nil
	}
	return false, "connection refused", nil
}

// fakeDNS records what is written and removed.
type fakeDNS struct {
	records     map[string][]string
	writes      int
	removes     int
	zoneErr     error
	checkErr    error
	onVerify    func()
	removeCtxOK bool
}

func (d *fakeDNS) ReadZone(ctx context.Context, dns string) (int, error) { return 3, d.zoneErr }

func (d *fakeDNS) Check(ctx context.Context, record string) (string, error) {
	return "free", d.checkErr
}

func (d *fakeDNS) Write(ctx context.Context, record string, addrs []string) (string, error) {
	d.writes++
	d.records[record] = addrs
	return "written", nil
}

func (d *fakeDNS) Verify(ctx context.Context, record string, addrs []string) error {
	if d.onVerify != nil {
		d.onVerify()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if fmt.Sprint(d.records[record]) != fmt.Sprint(addrs) {
		return errors.New("not served")
	}
	return nil
}

func (d *fakeDNS) Remove(ctx context.Context, record string) (string, error) {
	d.removes++
	d.removeCtxOK = ctx.Err() == nil
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	delete(d.records, record)
	return "removed", nil
}

func (d *fakeDNS) VerifyGone(ctx context.Context, record string) error {
	if _, ok := d.records[record]; ok {
		return errors.New("still there")
	}
	return ctx.Err()
}

// fakeOps is the journal operation of a canary.
type fakeOps struct {
	began    int
	steps    []string
	status   string
	summary  string
	beginErr error
}

func (o *fakeOps) Begin(ctx context.Context, spec Spec) (Operation, error) {
	o.began++
	return o, o.beginErr
}
func (o *fakeOps) ID() string { return "op-1" }
func (o *fakeOps) StepStarted(ctx context.Context, step string, at time.Time) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}
func (o *fakeOps) StepFinished(ctx context.Context, step string, st Step) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	o.steps = append(o.steps, step)
	return nil
}
func (o *fakeOps) Finish(ctx context.Context, status, summary string, at time.Time) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	o.status, o.summary = status, summary
	return nil
}

// fakeRecorder keeps the reports; it refuses a cancelled context, as the
// journal would.
type fakeRecorder struct{ reps []Report }

func (r *fakeRecorder) RecordDrill(ctx context.Context, rep Report) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.reps = append(r.reps, rep)
	return nil
}
