package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// clusterNode is one lifeboat node of a three-node test: its own
// configuration file (its own name, API address and view of alpha) on
// one shared etcd journal.
type clusterNode struct {
	name, cfg, api string
	proc           *daemonProc
}

func (n clusterNode) pause() string { return filepath.Join(filepath.Dir(n.cfg), "pause") }

const clusterToken = "e2e-operate-token-0123456789abcdef"

// nodeConfig writes node's configuration: the world's, with the journal
// in etcd and an API the other nodes forward to. deadAlpha points this
// node's view of alpha at an address where nothing answers.
func nodeConfig(t *testing.T, w *world, endpoints []string, name, deadAlpha string) clusterNode {
	t.Helper()
	data, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	port := testharness.FreePort(t, "127.0.0.1")
	api := fmt.Sprintf("127.0.0.1:%d", port)
	quoted := make([]string, len(endpoints))
	for i, e := range endpoints {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	cfg := strings.Replace(string(data), `state {
  path = "state/lifeboat.db"
}`, fmt.Sprintf(`state {
  path = "state/lifeboat.db"
  etcd {
    endpoints = [%s]
    prefix    = "/e2e/"
    node      = %q
    lease     = "2s"
  }
}

server {
  listen        = %q
  operate_token = env("E2E_OPERATE_TOKEN")
}`, strings.Join(quoted, ", "), name, api), 1)
	if deadAlpha != "" {
		cfg = strings.Replace(cfg, fmt.Sprintf(`addresses = [%q]`, w.alphaIP), fmt.Sprintf(`addresses = [%q]`, deadAlpha), 1)
	}
	dir := filepath.Join(w.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lifeboat.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return clusterNode{name: name, cfg: path, api: "http://" + api}
}

type clusterJSON struct {
	Daemon struct {
		Cluster struct {
			Node      string
			Connected bool
			Leader    string
			Leading   bool
			Nodes     []struct{ Node string }
			Agreement []struct {
				Provider string
				Lost     []string
				Need     int
				Reached  bool
			}
		}
	}
}

func (w *world) clusterStatus(n clusterNode) (clusterJSON, bool) {
	r := w.lifeboatAt(n.cfg, nil, "status", "-o", "json")
	var doc clusterJSON
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		return doc, false
	}
	return doc, true
}

// waitLeader waits until every node in ns names the same leader, and
// exactly one of them says it leads; it returns the leader's name.
// waitLeading waits until n says it leads.
func (w *world) waitLeading(t *testing.T, n clusterNode) {
	t.Helper()
	waitFor(t, 30*time.Second, n.name+" leads", func() bool {
		doc, ok := w.clusterStatus(n)
		return ok && doc.Daemon.Cluster.Leading
	})
}

func (w *world) waitLeader(t *testing.T, ns []clusterNode, bound time.Duration) string {
	t.Helper()
	var leader string
	waitFor(t, bound, "one leader agreed on by every node", func() bool {
		leader = ""
		leading := 0
		for _, n := range ns {
			doc, ok := w.clusterStatus(n)
			c := doc.Daemon.Cluster
			if !ok || !c.Connected || c.Leader == "" || (leader != "" && c.Leader != leader) {
				return false
			}
			leader = c.Leader
			if c.Leading {
				leading++
				if c.Node != c.Leader {
					return false
				}
			}
		}
		return leading == 1
	})
	return leader
}

// stepAttempts counts an operation's attempts at a step that finished ok.
func okAttempts(op journal.Operation, id string) int {
	n := 0
	for _, s := range op.Steps {
		if s.ID == id && s.Status == journal.StepOK {
			n++
		}
	}
	return n
}

// Three lifeboat nodes over a three-member etcd: one leads; one node that
// alone sees alpha down does not fail over, two do; the leader killed
// right after applying the standby leaves the operation to another node,
// which finishes it with one apply and one DNS cutover; a leader paused
// past its lease has its late step refused.
func TestClusterOfThreeNodes(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 3)
	w := newWorld(t, worldOptions{policy: "  auto_failover = true\n  cooldown = \"1s\"\n"})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	dead := testharness.LoopbackIP(t)

	// Every node dies right after applying bravo, and holds the DNS
	// cutover to alpha while its own pause file exists.
	hooks := func(n clusterNode) []string {
		return []string{"LIFEBOAT_TEST_KILL_AT=www/bravo/apply:finished",
			"LIFEBOAT_TEST_PAUSE_AT=www/alpha/dns-cutover:started", "LIFEBOAT_TEST_PAUSE_FILE=" + n.pause()}
	}
	n1 := nodeConfig(t, w, etcd.Endpoints(), "n1", dead)
	n2 := nodeConfig(t, w, etcd.Endpoints(), "n2", "")
	n3 := nodeConfig(t, w, etcd.Endpoints(), "n3", "")

	// n1 starts first and leads; its view of alpha is broken.
	n1.proc = w.startDaemonAt(n1.cfg, hooks(n1)...)
	w.waitLeading(t, n1)
	n2.proc = w.startDaemonAt(n2.cfg, hooks(n2)...)
	n3.proc = w.startDaemonAt(n3.cfg, hooks(n3)...)
	if leader := w.waitLeader(t, []clusterNode{n1, n2, n3}, 30*time.Second); leader != "n1" {
		t.Fatalf("leader = %s, want n1 (started first)", leader)
	}

	t.Log("only n1 sees alpha down: no failover")
	waitFor(t, 30*time.Second, "n1 sees alpha lost, alone", func() bool {
		doc, ok := w.clusterStatus(n1)
		for _, a := range doc.Daemon.Cluster.Agreement {
			if ok && a.Provider == "alpha" && len(a.Lost) == 1 && a.Lost[0] == "n1" && a.Need == 2 && !a.Reached {
				return true
			}
		}
		return false
	})
	w.waitRoundsAt(n1.cfg, 4) // fail_after 3, and a round to act
	if ops := w.historyAt(n1.cfg); !w.answers(w.alphaIP) || len(ops) != 0 {
		t.Fatalf("one node seeing alpha down moved www: DNS %v, %d operations\n%s", w.dns[0].Query(t, "www.example.test.", "A"), len(ops), n1.proc.out.String())
	}

	t.Log("n2 sees alpha down too: n1 fails over, and is killed right after the apply")
	if code, _ := n2.proc.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("n2 exit %d", code)
	}
	n2 = nodeConfig(t, w, etcd.Endpoints(), "n2", dead)
	n2.proc = w.startDaemonAt(n2.cfg, hooks(n2)...)
	select {
	case <-n1.proc.done:
	case <-time.After(90 * time.Second):
		t.Fatalf("n1 was not killed at the apply\n%s", n1.proc.out.String())
	}
	waitFor(t, 90*time.Second, "another node finishes the failover", func() bool { return w.answers(w.bravoIP) })
	leader := w.waitLeader(t, []clusterNode{n2, n3}, 30*time.Second)
	ops := w.historyAt(n3.cfg)
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("after the takeover: %d operations, want the one failover succeeded: %+v", len(ops), ops)
	}
	if a, d := okAttempts(ops[0], "www/bravo/apply"), okAttempts(ops[0], "www/bravo/dns-cutover"); a != 1 || d != 1 {
		t.Fatalf("the failover applied bravo %d times and cut DNS over %d times, want once each: %+v", a, d, ops[0].Steps)
	}
	if len(ops[0].Resumed) != 1 {
		t.Errorf("the operation was resumed %d times, want once (by %s)", len(ops[0].Resumed), leader)
	}

	t.Log("a failback asked of the node that does not lead is forwarded; the leader pauses at the DNS cutover and is stopped")
	// n2 sees alpha again, as everyone does.
	if code, _ := n2.proc.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("n2 exit %d", code)
	}
	n2 = nodeConfig(t, w, etcd.Endpoints(), "n2", "")
	n2.proc = w.startDaemonAt(n2.cfg, hooks(n2)...)
	leader = w.waitLeader(t, []clusterNode{n2, n3}, 30*time.Second)
	lead, follower := n2, n3
	if leader == "n3" {
		lead, follower = n3, n2
	}
	w.reviveAlpha()
	if err := os.WriteFile(lead.pause(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	failback := make(chan result, 1)
	go func() { failback <- w.lifeboatAt(follower.cfg, nil, "failback", "--yes") }()
	waitFor(t, 60*time.Second, "the leader reaches the DNS cutover of the failback", func() bool {
		_, err := os.Stat(lead.pause() + ".reached")
		return err == nil
	})
	if err := lead.proc.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	newLeader := ""
	waitFor(t, 60*time.Second, "the other node takes over and finishes the failback", func() bool {
		doc, ok := w.clusterStatus(follower)
		newLeader = doc.Daemon.Cluster.Leader
		return ok && doc.Daemon.Cluster.Leading && w.answers(w.alphaIP)
	})
	// The stopped leader wakes after its lease expired, released from
	// the pause: its next step is refused.
	if err := os.Remove(lead.pause()); err != nil {
		t.Fatal(err)
	}
	if err := lead.proc.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the old leader's late step is refused", func() bool {
		out := lead.proc.out.String()
		return strings.Contains(out, "no longer leads") || strings.Contains(out, "no longer the leader")
	})
	w.waitRoundsAt(lead.cfg, 2) // the woken node's next rounds move nothing either
	if !w.answers(w.alphaIP) {
		t.Fatalf("after the old leader woke, www answers %v, want alpha's %s", w.dns[0].Query(t, "www.example.test.", "A"), w.alphaIP)
	}
	ops = w.historyAt(follower.cfg)
	if len(ops) != 2 || ops[0].Status != journal.StatusSucceeded || okAttempts(ops[0], "www/alpha/dns-cutover") != 1 {
		t.Fatalf("the failback (taken over by %s): %+v", newLeader, ops)
	}
	select {
	case r := <-failback:
		t.Logf("the forwarded failback: exit %d\n%s", r.code, r.stderr)
		if r.code == 0 || !strings.Contains(r.stderr, "stopped leading during the operation") {
			t.Errorf("the forwarded failback, whose leader was deposed: exit %d, want it to say so\n%s%s", r.code, r.stdout, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the forwarded failback did not answer within 30s of the old leader's refusal")
	}

	t.Log("the hold switch turned on a node that does not lead holds the leader")
	leader = w.waitLeader(t, []clusterNode{n2, n3}, 30*time.Second)
	follower = n2
	if leader == "n2" {
		follower = n3
	}
	if r := w.lifeboatAt(follower.cfg, nil, "hold", "on", "--reason", "maintenance"); r.code != 0 {
		t.Fatalf("hold on through %s: exit %d\n%s%s", follower.name, r.code, r.stdout, r.stderr)
	}
	for _, n := range []clusterNode{n2, n3} {
		if r := w.lifeboatAt(n.cfg, nil, "hold"); r.code != 0 || !strings.Contains(r.stdout, "maintenance") {
			t.Errorf("hold as %s sees it: exit %d\n%s%s", n.name, r.code, r.stdout, r.stderr)
		}
	}
}

// A node cut off from etcd keeps checking and says so in its status and
// metrics, and never acts alone: alpha going down then moves nothing.
func TestClusterNodeCutOffFromEtcd(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	w := newWorld(t, worldOptions{policy: "  auto_failover = true\n"})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	n := nodeConfig(t, w, etcd.Endpoints(), "solo", "")
	n.proc = w.startDaemonAt(n.cfg)
	waitFor(t, 30*time.Second, "the only node leads", func() bool {
		doc, ok := w.clusterStatus(n)
		return ok && doc.Daemon.Cluster.Leading
	})
	metric := func() string {
		resp, err := http.Get(n.api + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := metric(); !strings.Contains(m, "lifeboat_cluster_connected 1") || !strings.Contains(m, "lifeboat_cluster_leader 1") {
		t.Fatalf("metrics while leading:\n%s", grepLines(m, "lifeboat_cluster"))
	}

	etcd.StopMember(0)
	w.cutOffAlpha()
	waitFor(t, 30*time.Second, "the node says it is cut off", func() bool {
		doc, ok := w.clusterStatus(n)
		return ok && !doc.Daemon.Cluster.Connected && !doc.Daemon.Cluster.Leading
	})
	r := w.lifeboatAt(n.cfg, nil, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "CUT OFF from etcd") || !strings.Contains(r.stdout+r.stderr, "takes no action") {
		t.Fatalf("status of a node cut off from etcd: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if m := metric(); !strings.Contains(m, "lifeboat_cluster_connected 0") || !strings.Contains(m, "lifeboat_cluster_leader 0") {
		t.Fatalf("metrics when cut off:\n%s", grepLines(m, "lifeboat_cluster"))
	}
	page, err := http.Get(n.api + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "cut off from etcd") {
		t.Fatalf("the status page does not say the node is cut off:\n%s", body)
	}
	// fail_after 3: a node acting alone would have moved www after these.
	w.waitRoundsAt(n.cfg, 4)
	if !w.answers(w.alphaIP) {
		t.Fatalf("a node cut off from etcd moved www: %v", w.dns[0].Query(t, "www.example.test.", "A"))
	}
	if !strings.Contains(n.proc.out.String(), "takes no action") {
		t.Fatalf("the log does not say the node takes no action:\n%s", n.proc.out.String())
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With the journal in etcd and no daemon, the commands work as they do on
// a local journal, taking the leadership for each operation; once a
// daemon leads, a command run where no daemon runs is refused and told
// which node leads, and the daemon's node runs it.
func TestEtcdCommandsWithoutDaemon(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	w := newWorld(t, worldOptions{})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	ops := nodeConfig(t, w, etcd.Endpoints(), "laptop", "")
	w.cutOffAlpha()
	// As an operator in a hurry types it: no --from, twice.
	r := w.lifeboatAt(ops.cfg, nil, "failover", "--yes")
	if r.code != 0 || !w.answers(w.bravoIP) {
		t.Fatalf("failover on an etcd journal without a daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = w.lifeboatAt(ops.cfg, nil, "failover", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "Already done") {
		t.Fatalf("second failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if h := w.historyAt(ops.cfg); len(h) != 1 || h[0].Status != journal.StatusSucceeded {
		t.Fatalf("history: %+v", h)
	}
	if r := w.lifeboatAt(ops.cfg, nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "bravo") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	n1 := nodeConfig(t, w, etcd.Endpoints(), "n1", "")
	n1.proc = w.startDaemonAt(n1.cfg)
	w.waitLeading(t, n1)
	w.reviveAlpha()
	r = w.lifeboatAt(ops.cfg, nil, "failback", "--yes")
	if r.code == 0 || !strings.Contains(r.stderr, "node n1 leads") {
		t.Fatalf("failback where no daemon runs while n1 leads: exit %d, want a refusal naming n1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !w.answers(w.bravoIP) {
		t.Fatal("the refused failback moved www")
	}
	r = w.lifeboatAt(n1.cfg, nil, "failback", "--yes")
	if r.code != 0 || !w.answers(w.alphaIP) {
		t.Fatalf("failback through n1's daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A follower whose etcd freezes (the process stopped, its connections
// open and silent) says within about its lease that it is not connected,
// in its metrics and its status, and not only once etcd answers again.
func TestClusterFollowerOnFrozenEtcd(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	proxy := testharness.StartFreezeProxy(t, strings.TrimPrefix(etcd.Endpoints()[0], "http://"))
	w := newWorld(t, worldOptions{})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	n1 := nodeConfig(t, w, etcd.Endpoints(), "n1", "")
	n1.proc = w.startDaemonAt(n1.cfg)
	w.waitLeading(t, n1)
	n2 := nodeConfig(t, w, []string{"http://" + proxy.Addr()}, "n2", "")
	n2.proc = w.startDaemonAt(n2.cfg)
	metric := func() string {
		resp, err := http.Get(n2.api + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor(t, 30*time.Second, "n2 follows", func() bool {
		doc, ok := w.clusterStatus(n2)
		return ok && doc.Daemon.Cluster.Connected && doc.Daemon.Cluster.Leader == "n1" &&
			strings.Contains(metric(), "lifeboat_cluster_connected 1")
	})

	proxy.Freeze()
	began := time.Now()
	waitFor(t, 15*time.Second, "n2's metrics say it is not connected", func() bool {
		return strings.Contains(metric(), "lifeboat_cluster_connected 0")
	})
	// The lease is 2s: three quarters of it without an answer, plus room
	// for a loaded machine; before, it took until etcd answered again.
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("n2 said it lost etcd %s after etcd froze, not within about its lease", took)
	}
	doc, ok := w.clusterStatus(n2)
	if !ok || doc.Daemon.Cluster.Connected || doc.Daemon.Cluster.Leading {
		t.Fatalf("n2's status on a frozen etcd: %+v (%v)", doc.Daemon.Cluster, ok)
	}
	proxy.Thaw()
	waitFor(t, 30*time.Second, "n2 follows again once etcd answers", func() bool {
		return strings.Contains(metric(), "lifeboat_cluster_connected 1")
	})
}

// Two of three nodes gone: under the default node_quorum the last one
// acts on its own view (kept: a vendor may take two nodes with it), and
// its status says so, in text and JSON.
func TestClusterLastNodeSaysItActsAlone(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	w := newWorld(t, worldOptions{})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	ns := []clusterNode{nodeConfig(t, w, etcd.Endpoints(), "n1", ""), nodeConfig(t, w, etcd.Endpoints(), "n2", ""), nodeConfig(t, w, etcd.Endpoints(), "n3", "")}
	for i := range ns {
		ns[i].proc = w.startDaemonAt(ns[i].cfg)
	}
	leader := w.waitLeader(t, ns, 30*time.Second)
	last := ns[0]
	if last.name == leader {
		last = ns[1]
	}
	waitFor(t, 30*time.Second, "the last node reads every node's view", func() bool {
		doc, ok := w.clusterStatus(last)
		return ok && len(doc.Daemon.Cluster.Nodes) == 3
	})
	if r := w.lifeboatAt(last.cfg, nil, "status"); r.code != 0 || strings.Contains(r.stdout, "own view") {
		t.Fatalf("status with three nodes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range ns {
		if n.name != last.name {
			if code, _ := n.proc.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
				t.Fatalf("%s exit %d", n.name, code)
			}
		}
	}
	want := "node_quorum 0 (a majority of the 1 live node(s)): this node acts on its own view; 2 of 3 nodes are gone"
	waitFor(t, 30*time.Second, "the last node says it acts on its own view", func() bool {
		r := w.lifeboatAt(last.cfg, nil, "status", "-o", "json")
		var doc struct {
			Daemon struct{ Cluster struct{ Alone string } }
		}
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &doc) == nil && strings.HasPrefix(doc.Daemon.Cluster.Alone, want)
	})
	if r := w.lifeboatAt(last.cfg, nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "NOTE: "+want) {
		t.Fatalf("status of the last node: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if out := last.proc.out.String(); !strings.Contains(out, "a single node's view is enough to declare a provider lost") {
		t.Errorf("the log does not say the node acts alone:\n%s", out)
	}
}

// A leader whose etcd freezes while it waits for the standby's checks
// stops waiting within its lease, and says it lost the leadership, not
// that the target did not become healthy.
func TestClusterLeaderFencedDuringWaitHealthy(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	proxy := testharness.StartFreezeProxy(t, strings.TrimPrefix(etcd.Endpoints()[0], "http://"))
	w := newWorld(t, worldOptions{policy: "  auto_failover = true\n"})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	n := nodeConfig(t, w, []string{"http://" + proxy.Addr()}, "n1", "")
	if err := os.WriteFile(n.pause(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	n.proc = w.startDaemonAt(n.cfg, "LIFEBOAT_TEST_PAUSE_AT=www/bravo/wait-healthy:started", "LIFEBOAT_TEST_PAUSE_FILE="+n.pause())
	w.waitLeading(t, n)
	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "the failover reaches wait-healthy", func() bool {
		_, err := os.Stat(n.pause() + ".reached")
		return err == nil
	})
	// bravo never becomes healthy: its host is stopped.
	killPidfile(t, filepath.Join(w.runDir, "bravo.pid"))
	if err := os.Remove(n.pause()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "wait-healthy sees bravo fail its checks", func() bool {
		return strings.Contains(n.proc.out.String(), "round 1:")
	})
	proxy.Freeze()
	defer proxy.Thaw()
	began := time.Now()
	// The metrics follow within the lease, while the operation is still
	// winding down (its journal writes wait on the frozen etcd).
	waitFor(t, 10*time.Second, "n1's metrics say it neither leads nor is connected", func() bool {
		resp, err := http.Get(n.api + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "lifeboat_cluster_leader 0") && strings.Contains(string(b), "lifeboat_cluster_connected 0")
	})
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("n1's metrics said it lost etcd %s after etcd froze, not within about its lease", took)
	}
	waitFor(t, 90*time.Second, "n1 says it lost the leadership", func() bool {
		return strings.Contains(n.proc.out.String(), "lost the leadership (fenced)")
	})
	t.Logf("n1 said it lost the leadership %s after etcd froze", time.Since(began).Round(time.Millisecond))
	if out := n.proc.out.String(); strings.Contains(out, "did not become healthy") {
		t.Errorf("the log blames bravo's health for the lost leadership:\n%s", out)
	}
}
