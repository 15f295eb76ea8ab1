package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// With policy.max_auto_failovers = 1, the daemon's second automatic
// failover within the window is held back for a person, though the
// cooldown is over: the move back is not made, and the held-back decision
// names the limit.
func TestDaemonMaxAutoFailoversPerWindow(t *testing.T) {
	// Alpha's provider API keeps a check at alpha after the failover, so
	// its return is seen.
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(rw, `{"status": "active"}`)
	}))
	defer api.Close()
	w := newWorld(t, worldOptions{policy: autoPolicy + "\n  cooldown = \"1s\"\n  max_auto_failovers = 1\n  auto_failover_window = \"1h\"",
		alphaAPI: api.URL + "/v1/account"})
	w.startAlpha()
	w.startDaemon()
	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })

	// Alpha comes back, then bravo is lost: within the window, with the
	// one automatic failover allowed spent.
	w.reviveAlpha()
	w.waitHealthyIn("alpha")
	killPidfile(t, filepath.Join(w.runDir, "bravo.pid"))
	waitFor(t, 60*time.Second, "a held-back decision naming max_auto_failovers", func() bool {
		return hasDecision(w.decisions(), "held_back", "at most policy.max_auto_failovers 1")
	})
	if !w.answers(w.bravoIP) {
		t.Fatal("a second automatic failover ran beyond policy.max_auto_failovers")
	}
	if n := w.automaticOps(); n != 1 {
		t.Fatalf("%d automatic operations, want 1", n)
	}
}
