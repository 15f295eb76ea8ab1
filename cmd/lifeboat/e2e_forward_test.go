package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// A follower checks the operate token of a request marked as forwarded
// before it says it does not lead: without the token, or with a wrong
// one, the answer is 401 and the refusal is logged; with it, 503. The
// legitimate forwarding (the CLI on the follower, through its daemon, to
// the leader's API with Bearer and JSON) still works.
func TestClusterFollowerChecksTheTokenOfAForwardFirst(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	w := newWorld(t, worldOptions{})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	n1 := nodeConfig(t, w, etcd.Endpoints(), "n1", "")
	n2 := nodeConfig(t, w, etcd.Endpoints(), "n2", "")
	n1.proc = w.startDaemonAt(n1.cfg)
	w.waitLeading(t, n1)
	n2.proc = w.startDaemonAt(n2.cfg)
	if leader := w.waitLeader(t, []clusterNode{n1, n2}, 30*time.Second); leader != "n1" {
		t.Fatalf("leader = %s, want n1", leader)
	}

	post := func(token string) (int, string) {
		req, err := http.NewRequest("POST", n2.api+"/api/v1/hold", strings.NewReader(`{"on": true, "reason": "forged"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Lifeboat-Forwarded-By", "n1")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, c := range []struct {
		name, token string
	}{{"no token", ""}, {"wrong token", "e2e-operate-token-0123456789abcdeX"}} {
		before := strings.Count(n2.proc.out.String(), "http request refused")
		if code, body := post(c.token); code != http.StatusUnauthorized || strings.Contains(body, "does not lead") {
			t.Fatalf("%s with the forwarding header: %d %s, want 401 before anything about leading", c.name, code, body)
		}
		waitFor(t, 5*time.Second, c.name+": the refusal logged", func() bool {
			return strings.Count(n2.proc.out.String(), "http request refused") > before
		})
	}
	if code, body := post(clusterToken); code != http.StatusServiceUnavailable || !strings.Contains(body, "node n2 does not lead any more") {
		t.Fatalf("the operate token with the forwarding header, on the follower: %d %s, want 503", code, body)
	}

	// The CLI on the follower goes through its daemon, which forwards to n1.
	if r := w.lifeboatAt(n2.cfg, nil, "hold", "on", "--reason", "forwarded"); r.code != 0 || !strings.Contains(r.stdout, "Hold is on") {
		t.Fatalf("hold on through the follower: exit %d\n%s%s\nn2:\n%s", r.code, r.stdout, r.stderr, n2.proc.out.String())
	}
	if !strings.Contains(n2.proc.out.String(), "forwarding to the leader") {
		t.Fatalf("the follower did not forward:\n%s", n2.proc.out.String())
	}
	if r := w.lifeboatAt(n1.cfg, nil, "hold"); r.code != 0 || !strings.Contains(r.stdout, "forwarded") {
		t.Fatalf("the leader's hold switch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range []clusterNode{n1, n2} {
		if strings.Contains(n.proc.out.String(), clusterToken) {
			t.Fatalf("the token reached %s's log", n.name)
		}
	}
}
