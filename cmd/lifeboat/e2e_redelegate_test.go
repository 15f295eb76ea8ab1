package main

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// delegationWorld is a parent zone test. (BIND) delegating example.test.
// to two DNS vendors that are two implementations: BIND on 127.0.0.1 and
// Knot DNS on an address of its own, each with its nameserver named inside
// the zone, and a registrar block that changes the parent by RFC 2136.
type delegationWorld struct {
	*world
	bind, parent *testharness.BIND
	knot         *testharness.Knot
	knotIP       string
	// port maps a nameserver's address to its port: the glue gives only
	// the address, and every test server listens on a port of its own.
	port map[string]string
}

func newDelegationWorld(t testing.TB, policy string) *delegationWorld {
	t.Helper()
	knotIP := testharness.LoopbackIP(t)
	records := []string{
		"www 60 IN A 127.0.0.11",
		"ns-bind 3600 IN A 127.0.0.1",
		"ns-knot 3600 IN A " + knotIP,
	}
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: records})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test.", IP: knotIP})
	parent := testharness.StartParent(t, "test.", "example.test.", []testharness.Delegation{
		{Name: "ns-bind.example.test.", Addr: "127.0.0.1"},
		{Name: "ns-knot.example.test.", Addr: knotIP},
	})
	ps := parent.RFC2136Settings()
	cfg := rfc2136Block("bind", bind.RFC2136Settings(), 1, `vendor = "bind-vendor"`, fmt.Sprintf("nameservers = [%q]", bind.Addr),
		`ns_names = ["ns-bind.example.test."]`) +
		rfc2136Block("knot", knot.RFC2136Settings(), 2, `vendor = "knot-vendor"`, fmt.Sprintf("nameservers = [%q]", knot.Addr),
			`ns_names = ["ns-knot.example.test"]`) + fmt.Sprintf(`
registrar "parent" {
  type = "rfc2136"
  zone = "example.test"
  settings = {
    server   = %q
    key_name = %q
    key_alg  = %q
    key      = env("E2E_KEY_3")
  }
}
provider "alpha" {
  addresses = ["127.0.0.11"]
}
service "www" {
  records    = ["www"]
  candidates = ["alpha"]
  check "up" {
    exec {
      command = ["true"]
    }
  }
}
`, ps["server"], ps["key_name"], ps["key_alg"]) + policy
	w := keyedWorld(t, cfg, bind.Secret, knot.Secret, parent.Secret)
	port := map[string]string{}
	for _, a := range []string{bind.Addr, knot.Addr} {
		host, p, _ := net.SplitHostPort(a)
		port[host] = p
	}
	return &delegationWorld{world: w, bind: bind, parent: parent, knot: knot, knotIP: knotIP, port: port}
}

// resolve follows the delegation from the parent as a resolver does: the
// parent refers to the child's nameservers and their glue, and the first
// nameserver with glue is asked for name.
func (d *delegationWorld) resolve(name, qtype string) (ns string, answers []string) {
	t := d.t
	t.Helper()
	ref := d.parent.Referral(t, name)
	for _, host := range ref.NS {
		for _, addr := range ref.Glue[host] {
			p, ok := d.port[addr]
			if !ok {
				t.Fatalf("the parent's glue for %s is %s, which is no test server", host, addr)
			}
			m := new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.StringToType[qtype])
			m.RecursionDesired = false
			r, err := dns.Exchange(m, net.JoinHostPort(addr, p))
			if err != nil {
				continue // a nameserver that does not answer: try the next, as a resolver does
			}
			for _, rr := range r.Answer {
				answers = append(answers, strings.TrimPrefix(rr.String(), rr.Header().String()))
			}
			return host, answers
		}
	}
	t.Fatalf("no nameserver of the referral %+v answers for %s", ref, name)
	return "", nil
}

// The scenario end to end: sync copies the zone from BIND to Knot,
// BIND stops, the plan re-delegates, `failover` carries it out, and the
// parent then names only Knot's nameserver, whose answer is the service's
// current address.
func TestRedelegateAwayFromALostDNSProvider(t *testing.T) {
	t.Parallel()
	d := newDelegationWorld(t, "")
	if ref := d.parent.Referral(t, "www.example.test."); !slices.Equal(ref.NS, []string{"ns-bind.example.test.", "ns-knot.example.test."}) {
		t.Fatalf("the parent starts with %v", ref.NS)
	}

	r := d.lifeboat(nil, "sync", "--yes")
	if r.code != 0 {
		t.Fatalf("sync --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	d.knot.WantAnswer(t, "www.example.test.", "A", "127.0.0.11")
	d.knot.WantAnswer(t, "ns-knot.example.test.", "A", d.knotIP)

	// While both providers answer, nothing is to be re-delegated.
	r = d.lifeboat(nil, "plan")
	if strings.Contains(r.stdout, "RE-DELEGATE") {
		t.Fatalf("plan with both DNS providers up re-delegates:\n%s", r.stdout)
	}

	d.bind.Stop()
	r = d.lifeboat(nil, "plan")
	if !strings.Contains(r.stdout, "zone example.test.: RE-DELEGATE at parent to knot") ||
		!strings.Contains(r.stdout, "ns ns-knot.example.test.; dns knot") {
		t.Fatalf("plan after BIND stopped: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ref := d.parent.Referral(t, "www.example.test."); len(ref.NS) != 2 {
		t.Fatalf("plan changed the parent: %v", ref.NS)
	}

	// As an operator in a hurry types it: no flags but --yes.
	r = d.lifeboat(nil, "failover", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "zone example.test.: delegated to ns-knot.example.test. at registrar parent") {
		t.Fatalf("failover --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ref := d.parent.Referral(t, "www.example.test.")
	if !slices.Equal(ref.NS, []string{"ns-knot.example.test."}) {
		t.Fatalf("the parent delegates to %v, want only Knot's nameserver", ref.NS)
	}
	if got := ref.Glue["ns-knot.example.test."]; !slices.Equal(got, []string{d.knotIP}) {
		t.Errorf("glue for ns-knot: %v, want %s", got, d.knotIP)
	}
	if _, stale := ref.Glue["ns-bind.example.test."]; stale {
		t.Errorf("the old nameserver's glue is still referred to: %v", ref.Glue)
	}
	host, answers := d.resolve("www.example.test.", "A")
	if host != "ns-knot.example.test." || !slices.Equal(answers, []string{"127.0.0.11"}) {
		t.Errorf("following the delegation: %s answers %v, want ns-knot.example.test. with 127.0.0.11", host, answers)
	}
	for _, secret := range []string{d.bind.Secret, d.knot.Secret, d.parent.Secret} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Fatal("a TSIG key is in the output")
		}
	}

	// Run twice: the registrar already says so; nothing is written again.
	r = d.lifeboat(nil, "failover", "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("second failover --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ops := d.history() // newest first
	key := "example.test./parent/redelegate"
	if len(ops) != 2 || ops[0].Outputs(key)["unchanged"] != "true" || ops[1].Outputs(key)["unchanged"] != "" {
		t.Fatalf("the second run wrote the registrar again: %d operations, outputs %v then %v", len(ops), ops[len(ops)-1].Outputs(key), ops[0].Outputs(key))
	}
	if ref := d.parent.Referral(t, "www.example.test."); !slices.Equal(ref.NS, []string{"ns-knot.example.test."}) {
		t.Fatalf("after the second run the parent delegates to %v", ref.NS)
	}
	r = d.lifeboat(nil, "history")
	if !strings.Contains(r.stdout, "example.test./parent/redelegate") {
		t.Errorf("history does not show the redelegate step:\n%s", r.stdout)
	}
}

// A provider that is up but does not serve the current records is never
// delegated to: the step fails and the parent is left as it was.
func TestRedelegateRefusesAProviderOutOfSync(t *testing.T) {
	t.Parallel()
	d := newDelegationWorld(t, "")
	// No sync: Knot does not serve www.
	d.bind.Stop()
	r := d.lifeboat(nil, "failover", "--yes")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "dns knot serves www.example.test. as nothing, but www runs on alpha at 127.0.0.11; run `lifeboat sync` first") {
		t.Fatalf("failover --yes with Knot out of sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ref := d.parent.Referral(t, "www.example.test."); len(ref.NS) != 2 {
		t.Fatalf("the parent was changed: %v", ref.NS)
	}
}

// The daemon re-delegates by itself when policy.auto_redelegate is on,
// once the DNS provider has been lost for policy.fail_after rounds, and
// journals it; the same loss is acted on once.
func TestDaemonRedelegatesALostDNSProvider(t *testing.T) {
	t.Parallel()
	d := newDelegationWorld(t, `
policy {
  interval        = "1s"
  fail_after      = 2
  sync_interval   = "1s"
  auto_redelegate = true
}
`)
	daemon := d.startDaemon()
	waitFor(t, 30*time.Second, "the daemon's sync puts www at Knot", func() bool { return len(d.knot.Query(t, "www.example.test.", "A")) == 1 })
	d.bind.Stop()
	waitFor(t, 30*time.Second, "the parent delegates to Knot only", func() bool {
		return slices.Equal(d.parent.Referral(t, "www.example.test.").NS, []string{"ns-knot.example.test."})
	})
	if host, answers := d.resolve("www.example.test.", "A"); host != "ns-knot.example.test." || !slices.Equal(answers, []string{"127.0.0.11"}) {
		t.Errorf("following the delegation: %s answers %v", host, answers)
	}
	waitFor(t, 10*time.Second, "the decision is journaled", func() bool {
		r := d.lifeboat(nil, "history", "--decisions")
		return strings.Contains(r.stdout, "zone example.test. delegated to ns-knot.example.test. at parent")
	})
	// Three more rounds with BIND still down, counted by the zone sync's
	// (sync_interval 1s) complaint about it.
	const syncDown = "zone sync: cannot read the source of truth"
	seen := strings.Count(daemon.out.String(), syncDown)
	waitFor(t, 30*time.Second, "three more rounds with BIND down", func() bool {
		return strings.Count(daemon.out.String(), syncDown) >= seen+3
	})
	r := d.lifeboat(nil, "history", "--decisions")
	if n := strings.Count(r.stdout, "delegated to ns-knot.example.test."); n != 1 {
		t.Errorf("the re-delegation is journaled %d times, want once:\n%s", n, r.stdout)
	}
}

// With policy.auto_redelegate off (the default) the daemon leaves the
// delegation alone and says what a person should run.
func TestDaemonHoldsRedelegationForAPerson(t *testing.T) {
	t.Parallel()
	d := newDelegationWorld(t, `
policy {
  interval   = "1s"
  fail_after = 2
}
`)
	d.startDaemon()
	d.bind.Stop()
	waitFor(t, 30*time.Second, "the held-back decision", func() bool {
		r := d.lifeboat(nil, "history", "--decisions")
		return strings.Contains(r.stdout, "zone example.test.: DNS provider bind lost; policy.auto_redelegate is off: run `lifeboat failover`")
	})
	if ref := d.parent.Referral(t, "www.example.test."); len(ref.NS) != 2 {
		t.Fatalf("the parent was changed: %v", ref.NS)
	}
}

// BenchmarkRedelegation measures the daemon's path from a DNS provider's
// servers stopping to the parent delegating to the others only, with
// interval = "1s" and fail_after = 2: detection (rounds of SOA and API
// checks) plus the redelegate step.
func BenchmarkRedelegation(b *testing.B) {
	var total, step time.Duration
	for range b.N {
		d := newDelegationWorld(b, `
policy {
  interval        = "1s"
  fail_after      = 2
  auto_redelegate = true
}
`)
		r := d.lifeboat(nil, "sync", "--yes")
		if r.code != 0 {
			b.Fatalf("sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		daemon := d.startDaemon()
		time.Sleep(2 * time.Second) // healthy rounds first
		d.bind.Stop()
		stopped := time.Now()
		waitFor(b, 30*time.Second, "the parent delegates to Knot only", func() bool {
			return slices.Equal(d.parent.Referral(b, "www.example.test.").NS, []string{"ns-knot.example.test."})
		})
		total += time.Since(stopped)
		ops := d.history()
		if len(ops) != 1 || len(ops[0].Steps) == 0 {
			b.Fatalf("want one operation with its step, got %+v", ops)
		}
		for _, s := range ops[0].Steps {
			step += s.Finished.Sub(s.Started)
		}
		daemon.stop(syscall.SIGTERM, 30*time.Second)
	}
	n := float64(b.N)
	b.ReportMetric(total.Seconds()/n, "loss-to-delegation-s")
	b.ReportMetric(step.Seconds()*1000/n, "redelegate-step-ms")
}
