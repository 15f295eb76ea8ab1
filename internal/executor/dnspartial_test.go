package executor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// startPartial runs the fixture with dns-b failing and checks the
// operation is left unfinished, naming dns-b; it returns the operation.
func startPartial(t *testing.T, w *world) journal.Operation {
	t.Helper()
	w.dns["dns-b"].setFail(true)
	rep, err := w.executor(nil).Start(context.Background(), w.plan(), "manual")
	if !errors.Is(err, ErrDNSPartial) {
		t.Fatalf("start: err %v, want ErrDNSPartial", err)
	}
	if !strings.Contains(err.Error(), "dns-b") || strings.Contains(err.Error(), "dns-a:") {
		t.Errorf("error %q should name dns-b as failing, and only it", err)
	}
	if len(rep.Services) != 1 {
		t.Fatalf("report %+v", rep)
	}
	failed := rep.Services[0].DNSFailed
	if _, ok := failed["dns-b"]; !ok || len(failed) != 1 {
		t.Errorf("report DNSFailed %v, want only dns-b", failed)
	}
	op := w.unfinished()
	if op.ID != rep.Operation || op.Status != journal.StatusRunning {
		t.Fatalf("unfinished operation %s (%s), want %s running", op.ID, op.Status, rep.Operation)
	}
	if got := op.Outputs("www/bravo/dns-cutover")["pending"]; got != "dns-b" {
		t.Errorf("cutover pending %q, want dns-b", got)
	}
	if got := attempts(op, "www/bravo/dns-retry"); !slices.Equal(got, []journal.StepStatus{journal.StepFailed}) {
		t.Errorf("dns-retry attempts %v, want one failed", got)
	}
	// DNS sends users to bravo already, so that is where the service is.
	if p := w.placement(); p != "bravo" {
		t.Errorf("placement %q, want bravo", p)
	}
	w.wantDNS("bravo", "dns-a")
	if got := w.dns["dns-b"].addresses("www"); len(got) != 0 {
		t.Errorf("failing dns-b holds %v", got)
	}
	notes := w.notifications()
	if len(notes) == 0 || notes[len(notes)-1].Event != EventUnfinished || notes[len(notes)-1].OK {
		t.Errorf("notifications %+v, want the last to be %s, not OK", notes, EventUnfinished)
	}
	return op
}

// One DNS provider failing leaves the operation unfinished; resuming once
// it works updates it and finishes the operation.
func TestPartialDNSResumedWhenProviderRecovers(t *testing.T) {
	w := newWorld(t)
	op := startPartial(t, w)

	w.dns["dns-b"].setFail(false)
	rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if len(rep.Services) != 1 || !rep.Services[0].OK || len(rep.Services[0].DNSFailed) != 0 {
		t.Errorf("report %+v", rep)
	}
	done := w.operation(op.ID)
	if done.Status != journal.StatusSucceeded {
		t.Errorf("operation %s, want succeeded", done.Status)
	}
	if got := attempts(done, "www/bravo/dns-retry"); !slices.Equal(got, []journal.StepStatus{journal.StepFailed, journal.StepOK}) {
		t.Errorf("dns-retry attempts %v, want failed then ok", got)
	}
	if got := attempts(done, "www/bravo/dns-cutover"); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
		t.Errorf("dns-cutover attempts %v, want one ok", got)
	}
	w.wantDNS("bravo", "dns-a", "dns-b")
	if n := w.count("bravo/apply"); n != 1 {
		t.Errorf("bravo applied %d times, want 1", n)
	}
	if u, err := w.journal.Unfinished(context.Background()); err != nil || u != nil {
		t.Errorf("Unfinished = %v, %v after the retry worked", u, err)
	}
}

// Resuming with dns-b dropped finishes the operation without writing
// dns-b (it works again, so a write would show), and journals the drop.
func TestPartialDNSResumedWithDropDNS(t *testing.T) {
	w := newWorld(t)
	op := startPartial(t, w)

	w.dns["dns-b"].setFail(false)
	rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{DropDNS: []string{"dns-b"}})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if len(rep.Services) != 1 || !rep.Services[0].OK {
		t.Errorf("report %+v", rep)
	}
	done := w.operation(op.ID)
	if done.Status != journal.StatusSucceeded {
		t.Errorf("operation %s, want succeeded", done.Status)
	}
	if got := done.Outputs("operation/drop-dns")["dns"]; got != "dns-b" {
		t.Errorf("journaled drop %q, want dns-b", got)
	}
	if got := attempts(done, "www/bravo/dns-retry"); !slices.Equal(got, []journal.StepStatus{journal.StepFailed}) {
		t.Errorf("dns-retry attempts %v: a dropped provider was retried", got)
	}
	if n, got := w.dns["dns-b"].setCount(), w.dns["dns-b"].addresses("www"); n != 0 || len(got) != 0 {
		t.Errorf("dropped dns-b was written %d times and holds %v", n, got)
	}
	w.wantDNS("bravo", "dns-a")
}

// A crash right after a cutover that left dns-b pending, before the
// retry ever ran: the resumed run finds the pending provider in the
// journal and updates it.
func TestResumeAfterCutoverWithPendingDNS(t *testing.T) {
	w := newWorld(t)
	w.dns["dns-b"].setFail(true)
	if !startUntilCrash(t, w, w.plan(), "www/bravo/dns-cutover", "finished") {
		return
	}
	op := w.unfinished()
	if got := op.Outputs("www/bravo/dns-cutover")["pending"]; got != "dns-b" {
		t.Fatalf("cutover pending %q, want dns-b", got)
	}
	w.dns["dns-b"].setFail(false)
	if _, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	done := w.operation(op.ID)
	if done.Status != journal.StatusSucceeded {
		t.Errorf("operation %s, want succeeded", done.Status)
	}
	if got := attempts(done, "www/bravo/dns-retry"); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
		t.Errorf("dns-retry attempts %v, want one ok", got)
	}
	w.wantDNS("bravo", "dns-a", "dns-b")
}
