package drill

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeFailover moves the service on Run; fail names a kind that fails.
type fakeFailover struct {
	where   string
	fail    string
	cancel  func() // called inside the failover run, if set
	aborted []string
	runs    []string
}

func (f *fakeFailover) Run(ctx context.Context, kind, to string) (OpResult, error) {
	id := "op-" + kind
	f.runs = append(f.runs, kind)
	if f.cancel != nil {
		f.cancel()
		return OpResult{OpID: id, Unfinished: true}, ctx.Err()
	}
	if kind == f.fail {
		return OpResult{OpID: id}, errors.New(kind + " refused: alpha is not healthy")
	}
	if kind == "drill" {
		f.where = "bravo"
	} else {
		f.where = "alpha"
	}
	return OpResult{OpID: id, To: f.where, Recovery: 3 * time.Second}, nil
}

func (f *fakeFailover) Abort(ctx context.Context, opID, reason string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	f.aborted = append(f.aborted, opID)
	return nil
}

func (f *fakeFailover) Placement(ctx context.Context) (string, error) { return f.where, nil }

func fullSpec() Spec {
	return Spec{Name: "gameday", Mode: ModeFull, Service: "www", Current: "alpha"}
}

func TestFullOverAndBack(t *testing.T) {
	f := &fakeFailover{where: "alpha"}
	rep, err := Run(t.Context(), fullSpec(), Env{Failover: f, Recorder: &fakeRecorder{}})
	if err != nil || !rep.OK || !slices.Equal(rep.Operations, []string{"op-drill", "op-failback"}) ||
		rep.Target != "bravo" || rep.RecoveryTime != 3*time.Second || len(rep.LeftChanged) != 0 {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
}

// A failback that fails leaves the service at the target: the report says
// where it runs.
func TestFullFailbackFailsSaysWhere(t *testing.T) {
	f := &fakeFailover{where: "alpha", fail: "failback"}
	rep, err := Run(t.Context(), fullSpec(), Env{Failover: f, Recorder: &fakeRecorder{}})
	if !errors.Is(err, ErrFailed) || len(rep.Operations) != 2 {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if len(rep.LeftChanged) != 1 || !strings.Contains(rep.LeftChanged[0], "runs on bravo") {
		t.Fatalf("LeftChanged %v", rep.LeftChanged)
	}
}

// Cancelled during the failover: the unfinished operation is ended as
// aborted so a real failover is not blocked, and no failback runs.
func TestFullAbortEndsOperation(t *testing.T) {
	ctx, cancel := context.WithCancelCause(t.Context())
	f := &fakeFailover{where: "alpha"}
	f.cancel = func() { cancel(errors.New("provider bravo lost")) }
	rec := &fakeRecorder{}
	rep, err := Run(ctx, fullSpec(), Env{Failover: f, Recorder: rec})
	if !errors.Is(err, ErrAborted) || !rep.Aborted || rep.AbortReason != "provider bravo lost" {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if !slices.Equal(f.aborted, []string{"op-drill"}) || !slices.Equal(f.runs, []string{"drill"}) {
		t.Fatalf("aborted %v, runs %v", f.aborted, f.runs)
	}
	if len(rec.reps) != 1 || !rec.reps[0].Aborted {
		t.Fatalf("recorded %+v", rec.reps)
	}
}
