package daemon

import (
	"testing"
	"time"
)

// The pause between attempts to finish an unfinished operation doubles
// from resumeBase up to resumeCap (with jitter: half to whole of it), an
// attempt that could not be made is only put off, never counted, and a
// success starts again from nothing.
func TestResumeBackoff(t *testing.T) {
	var d Daemon
	if _, due := d.resumeDue(); due {
		t.Fatal("due with nothing failed")
	}
	want := resumeBase
	for n := range 12 {
		got := d.resumeFailed()
		if got < want/2 || got > want {
			t.Fatalf("failure %d: pause %s outside [%s, %s]", n+1, got, want/2, want)
		}
		if wait, due := d.resumeDue(); !due || wait > got {
			t.Fatalf("failure %d: due=%v wait=%s, want due within %s", n+1, due, wait, got)
		}
		want = min(2*want, resumeCap)
	}
	// Put off when due: not counted, the next attempt resumeBase away.
	d.mu.Lock()
	d.resume.next = time.Now().Add(-time.Second)
	failures := d.resume.failures
	d.mu.Unlock()
	d.resumeLater()
	if wait, due := d.resumeDue(); !due || wait <= 0 || wait > resumeBase {
		t.Fatalf("put off: due=%v wait=%s, want within %s", due, wait, resumeBase)
	}
	if d.resume.failures != failures {
		t.Fatalf("putting off counted a failure: %d, want %d", d.resume.failures, failures)
	}
	d.resumeReset()
	if _, due := d.resumeDue(); due {
		t.Fatal("due after a success")
	}
}
