package daemon

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestSameEtcd(t *testing.T) {
	base := config.Etcd{Endpoints: []string{"http://127.0.0.1:2379"}, Prefix: "/lifeboat/", Node: "n1", Lease: 3 * time.Second}
	with := func(f func(e *config.Etcd)) *config.Etcd {
		e := base
		e.Endpoints = append([]string(nil), base.Endpoints...)
		f(&e)
		return &e
	}
	for name, tc := range map[string]struct {
		a, b *config.Etcd
		want bool
	}{
		"both local":        {nil, nil, true},
		"etcd added":        {nil, &base, false},
		"etcd removed":      {&base, nil, false},
		"unchanged":         {&base, with(func(*config.Etcd) {}), true},
		"another endpoint":  {&base, with(func(e *config.Etcd) { e.Endpoints = append(e.Endpoints, "http://127.0.0.2:2379") }), false},
		"another node name": {&base, with(func(e *config.Etcd) { e.Node = "n2" }), false},
		"another lease":     {&base, with(func(e *config.Etcd) { e.Lease = 5 * time.Second }), false},
		"another password":  {&base, with(func(e *config.Etcd) { e.Password = "x" }), false},
		"another CA":        {&base, with(func(e *config.Etcd) { e.CAFile = "/ca.pem" }), false},
	} {
		if got := sameEtcd(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: sameEtcd = %v, want %v", name, got, tc.want)
		}
	}
}

// A reload swaps in the new configuration's intervals (the health watch's
// and the DNS watcher's) and its API tokens: the old read token is
// refused from then on, the new one taken.
func TestReloadChangesTheIntervalsAndTheTokens(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lifeboat.hcl")
	write := func(interval, readToken string) {
		t.Helper()
		src := fmt.Sprintf("state {\n  path = \"state/lifeboat.db\"\n}\npolicy {\n  interval = %q\n}\n"+
			"server {\n  listen = \"127.0.0.1:0\"\n  read_token = %q\n  operate_token = \"operate-token-0123456789abcdef\"\n}\n", interval, readToken)
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const oldToken, newToken = "read-token-old-0123456789abcdef", "read-token-new-0123456789abcdef"
	// status is what the API answers a read with token.
	status := func(d *Daemon, token string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/hold", nil)
		r.Host = "127.0.0.1"
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		d.httpH.ServeHTTP(w, r)
		return w.Code
	}
	intervals := func(d *Daemon) (health, dnsEvery time.Duration) {
		_, w := d.current()
		return w.cfg.Policy.Interval, d.parts.dnsEvery
	}

	write("1m", oldToken)
	d, ctx, stop := runDaemon(t, path)
	if h, dns := intervals(d); h != time.Minute || dns != time.Minute {
		t.Fatalf("before the reload: health interval %s, DNS watcher every %s; want 1m and 1m", h, dns)
	}
	if got := status(d, oldToken); got != http.StatusOK {
		t.Fatalf("before the reload the read token got %d", got)
	}
	_, oldWatch := d.current()

	write("2m", newToken)
	if err := d.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if h, dns := intervals(d); h != 2*time.Minute || dns != 2*time.Minute {
		t.Fatalf("after the reload: health interval %s, DNS watcher every %s; want 2m and 2m", h, dns)
	}
	select {
	case <-oldWatch.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the old interval's health watch still runs")
	}
	if got := status(d, oldToken); got != http.StatusUnauthorized {
		t.Fatalf("after the reload the old read token got %d, want %d", got, http.StatusUnauthorized)
	}
	if got := status(d, newToken); got != http.StatusOK {
		t.Fatalf("after the reload the new read token got %d", got)
	}
	stop()
}
