package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// ttlAt asks server for name's A records and returns their TTL in seconds,
// -1 when there is none.
func ttlAt(t *testing.T, server, name string) int {
	t.Helper()
	m := new(dns.Msg).SetQuestion(name, dns.TypeA)
	r, err := dns.Exchange(m, server)
	if err != nil {
		t.Fatalf("ask %s for %s: %v", server, name, err)
	}
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			return int(a.Hdr.Ttl)
		}
	}
	return -1
}

// Pre-emptive TTLs end to end: alpha turns degraded (one of its two hosts
// fails) while Knot is down; the record pointing at it drops to the
// emergency TTL at BIND, and at Knot once Knot is back; a record lifeboat
// does not own is left alone; alpha
// recovers, and after the recovery window the TTL is back at both; every
// change is in the journal, and status shows it meanwhile. The daemon is
// restarted while the TTL is low: the restore still happens.
func TestPreemptiveTTL(t *testing.T) {
	t.Parallel()
	records := []string{
		"www 3600 IN A 127.0.0.11",
		`_lifeboat.www 3600 IN TXT "heritage=lifeboat,owner=lifeboat/www"`,
		"api 3600 IN A 127.0.0.11",
	}
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: records})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test.", Records: records})
	h1 := testharness.StartHost(t, testharness.LoopbackIP(t), "alpha 1")
	h2 := testharness.StartHost(t, testharness.LoopbackIP(t), "alpha 2")
	port := testharness.FreePort(t, "127.0.0.1")
	cfg := rfc2136Block("bind", bind.RFC2136Settings(), 1, fmt.Sprintf("nameservers = [%q]", bind.Addr)) +
		rfc2136Block("knot", knot.RFC2136Settings(), 2, fmt.Sprintf("nameservers = [%q]", knot.Addr)) + fmt.Sprintf(`
provider "alpha" {
  addresses = ["127.0.0.11"]
  check "one" {
    http {
      url = %q
    }
  }
  check "two" {
    http {
      url = %q
    }
  }
}
service "www" {
  records    = ["www"]
  ttl        = 3600
  candidates = ["alpha"]
  check "up" {
    exec {
      command = ["true"]
    }
  }
}
service "api" {
  records    = ["api"]
  ttl        = 3600
  candidates = ["alpha"]
  check "up" {
    exec {
      command = ["true"]
    }
  }
}
policy {
  interval        = "1s"
  quorum          = 1
  recover_after   = 1
  emergency_ttl   = "5s"
  recovery_window = "3s"
}
server {
  listen = "127.0.0.1:%d"
}
`, h1.URL, h2.URL, port)
	w := keyedWorld(t, cfg, bind.Secret, knot.Secret)
	daemon := w.startDaemon()
	servers := map[string]string{"BIND": bind.Addr, "Knot": knot.Addr}
	w.waitRounds(2) // healthy rounds first: nothing is lowered
	for name, addr := range servers {
		if got := ttlAt(t, addr, "www.example.test."); got != 3600 {
			t.Fatalf("www at %s has TTL %d before alpha is at risk", name, got)
		}
	}

	// Knot is down when alpha turns degraded: BIND is lowered at once,
	// Knot once it is back.
	knot.Stop()
	h2.SetStatus(http.StatusInternalServerError)
	waitFor(t, 20*time.Second, "www's TTL at BIND drops to 5s", func() bool { return ttlAt(t, bind.Addr, "www.example.test.") == 5 })
	if r := w.lifeboat(nil, "status"); !strings.Contains(r.stdout, "DNS provider(s) down, done when back: knot") {
		t.Errorf("status while Knot is down:\n%s%s", r.stdout, r.stderr)
	}
	knot.Restart(t)
	for name, addr := range servers {
		waitFor(t, 20*time.Second, "www's TTL at "+name+" drops to 5s", func() bool { return ttlAt(t, addr, "www.example.test.") == 5 })
		if got := ttlAt(t, addr, "api.example.test."); got != 3600 {
			t.Errorf("api, not marked as lifeboat's, has TTL %d at %s: it must be left alone", got, name)
		}
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `lifeboat_ttl_lowered{provider="alpha"} 1`) {
		t.Errorf("metrics while lowered:\n%s", grepLines(string(body), "lifeboat_ttl"))
	}
	r := w.lifeboat(nil, "status")
	if !strings.Contains(r.stdout, "Emergency TTL: alpha's records (api, www)") || !strings.Contains(r.stdout, "www.example.test. A at knot: 3600s -> 5s") {
		t.Errorf("status while alpha is at risk:\n%s%s", r.stdout, r.stderr)
	}

	// A restart in between must not forget the lowering: the restore still
	// comes once alpha has recovered.
	if code, _ := daemon.stop(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("the daemon exited %d on SIGTERM", code)
	}
	w.startDaemon()
	h2.SetStatus(http.StatusOK)
	recovered := time.Now()
	for name, addr := range servers {
		waitFor(t, 20*time.Second, "www's TTL at "+name+" back to 3600s", func() bool { return ttlAt(t, addr, "www.example.test.") == 3600 })
	}
	if d := time.Since(recovered); d < 3*time.Second {
		t.Errorf("the TTL came back %s after alpha recovered, before the 3s recovery window", d)
	}
	r = w.lifeboat(nil, "history", "--decisions")
	for _, want := range []string{
		"alpha is at risk (degraded: 1/4 checks failing",
		"1 RRset(s) pointing at it lowered to the emergency TTL 5s",
		"alpha has been healthy for the recovery window (3s): 2 RRset(s) back",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("history --decisions lacks %q:\n%s", want, r.stdout)
		}
	}
	r = w.lifeboat(nil, "history", "--decisions", "-o", "json")
	r.stdout = strings.ReplaceAll(r.stdout, `\u003e`, ">")
	for _, want := range []string{"www.example.test. A at bind: 3600s -> 5s", "zone example.test. at knot: left alone: DNS provider down",
		"www.example.test. A at knot: 3600s -> 5s", "www.example.test. A at knot: 5s -> 3600s", "api.example.test. A at bind (3600s): left alone"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the journal's evidence lacks %q:\n%s", want, r.stdout)
		}
	}
}

// An account warning is a risk too: alpha answers every check, but its
// provider API says the invoice is overdue; www's TTL drops, and comes
// back once the warning has been gone for the recovery window.
func TestPreemptiveTTLOnAccountWarning(t *testing.T) {
	t.Parallel()
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{
		"www 3600 IN A 127.0.0.11",
		`_lifeboat.www 3600 IN TXT "heritage=lifeboat,owner=lifeboat/www"`,
	}})
	host := testharness.StartHost(t, testharness.LoopbackIP(t), "alpha")
	var notice atomic.Value
	notice.Store(`{"status":"active"}`)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, notice.Load().(string)) }))
	t.Cleanup(api.Close)
	cfg := rfc2136Block("bind", bind.RFC2136Settings(), 1, fmt.Sprintf("nameservers = [%q]", bind.Addr)) + fmt.Sprintf(`
provider "alpha" {
  addresses = ["127.0.0.11"]
  check "site" {
    http {
      url = %q
    }
  }
  check "account" {
    provider_api {
      url          = %q
      warn_pattern = "(?i)overdue"
    }
  }
}
service "www" {
  records    = ["www"]
  ttl        = 3600
  candidates = ["alpha"]
  check "up" {
    exec {
      command = ["true"]
    }
  }
}
policy {
  interval        = "1s"
  quorum          = 1
  recover_after   = 1
  emergency_ttl   = "5s"
  recovery_window = "2s"
}
`, host.URL, api.URL)
	w := keyedWorld(t, cfg, bind.Secret)
	w.startDaemon()
	w.waitRounds(2) // rounds with the account in good standing: nothing is lowered
	if got := ttlAt(t, bind.Addr, "www.example.test."); got != 3600 {
		t.Fatalf("www has TTL %d while alpha's account is in good standing", got)
	}
	notice.Store(`{"status":"active","notices":["Invoice 1234 OVERDUE"]}`)
	waitFor(t, 20*time.Second, "www's TTL drops to 5s", func() bool { return ttlAt(t, bind.Addr, "www.example.test.") == 5 })
	notice.Store(`{"status":"active"}`)
	waitFor(t, 20*time.Second, "www's TTL back to 3600s", func() bool { return ttlAt(t, bind.Addr, "www.example.test.") == 3600 })
	r := w.lifeboat(nil, "history", "--decisions")
	for _, want := range []string{`alpha is at risk (account at risk: provider API says "OVERDUE")`, "alpha has been healthy for the recovery window (2s): 1 RRset(s) back"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("history --decisions lacks %q:\n%s", want, r.stdout)
		}
	}
}
