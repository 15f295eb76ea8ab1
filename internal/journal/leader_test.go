package journal_test

import (
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// A leader's writes go through while its term lasts; once its session
// ends and another node is elected, every write it makes, and the check
// before a side effect, is refused with ErrNotLeader, and none of them is
// visible.
func TestEtcdDeposedLeaderRefused(t *testing.T) {
	ctx := testCtx(t)
	endpoint, prefix := etcdEndpoint(t), freshPrefix(t)
	j := openEtcd(t, endpoint, prefix)
	cli := rawClient(t, endpoint)

	campaign := func(node string) (*concurrency.Session, journal.Leadership) {
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(2))
		must(t, err)
		t.Cleanup(func() { s.Close() })
		el := concurrency.NewElection(s, prefix+"election/")
		must(t, el.Campaign(ctx, node))
		return s, journal.Leadership{Key: el.Key(), Rev: el.Rev()}
	}
	s1, term1 := campaign("n1")
	lctx := journal.WithLeadership(ctx, term1)
	op, err := j.Begin(lctx, journal.Operation{Kind: "failover", Services: []string{"www"}, Started: t0})
	must(t, err)
	must(t, j.StepStarted(lctx, op.Ref(), "apply", t0.Add(time.Second)))
	must(t, j.Check(lctx, op.Ref()))
	must(t, journal.CheckLeader(lctx, j))

	// n1's term ends (as when its lease expires) and n2 is elected.
	must(t, s1.Close())
	_, term2 := campaign("n2")
	if term2.Rev == term1.Rev {
		t.Fatalf("the second term has the first's revision %d", term1.Rev)
	}
	before, err := j.Operation(ctx, op.ID)
	must(t, err)

	at := t0.Add(3 * time.Second)
	_, beginErr := j.Begin(lctx, journal.Operation{Kind: "failover", Services: []string{"api"}, Started: at})
	_, appendErr := j.Append(lctx, journal.Record{Kind: journal.RecordDecision, At: at, Summary: "late"})
	_, resumeErr := j.Resume(lctx, op.ID, at)
	for name, err := range map[string]error{
		"Begin":        beginErr,
		"Append":       appendErr,
		"Resume":       resumeErr,
		"Check":        j.Check(lctx, op.Ref()),
		"CheckLeader":  journal.CheckLeader(lctx, j),
		"StepStarted":  j.StepStarted(lctx, op.Ref(), "dns-cutover", at),
		"StepFinished": j.StepFinished(lctx, op.Ref(), "apply", journal.StepResult{Status: journal.StepOK, At: at}),
		"SetPlacement": j.SetPlacement(lctx, op.Ref(), "www", "late", at),
		"Finish":       j.Finish(lctx, op.Ref(), journal.StatusSucceeded, "late", at),
	} {
		if !errors.Is(err, journal.ErrNotLeader) {
			t.Errorf("%s by the deposed leader: got %v, want ErrNotLeader", name, err)
		}
	}
	after, err := j.Operation(ctx, op.ID)
	must(t, err)
	if after.Status != journal.StatusRunning || len(after.Steps) != len(before.Steps) || after.Fence != before.Fence {
		t.Errorf("the deposed leader's writes left a trace: %+v", after)
	}
	if recs, err := j.Records(ctx, journal.RecordDecision, 0); err != nil || len(recs) != 0 {
		t.Errorf("decision records after the refused append = %v, %v; want none", recs, err)
	}
	if pl, err := j.Placement(ctx); err != nil || len(pl) != 0 {
		t.Errorf("placement after the refused write = %v, %v; want none", pl, err)
	}
	if ops, err := j.Operations(ctx, 0); err != nil || len(ops) != 1 {
		t.Errorf("operations after the refused Begin = %d, %v; want 1", len(ops), err)
	}

	// The new leader resumes the operation and finishes it.
	nctx := journal.WithLeadership(ctx, term2)
	taken, err := j.Resume(nctx, op.ID, at)
	must(t, err)
	must(t, j.Check(nctx, taken.Ref()))
	must(t, j.Finish(nctx, taken.Ref(), journal.StatusSucceeded, "finished by n2", at))
	// The old fence is stale as well as the old term: Check says which.
	if err := j.Check(lctx, op.Ref()); !errors.Is(err, journal.ErrNotLeader) {
		t.Errorf("Check by the deposed leader after the finish = %v, want ErrNotLeader", err)
	}
}
