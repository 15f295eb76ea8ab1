package dnscutover

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// These tests drive a real BIND over RFC 2136 through the providers
// registry, as lifeboat does, and read the answers back with real queries.

const zone = "example.test."

// fast keeps retries and verification short; every loop stays bounded.
var fast = Options{
	Retry:         dnswriter.Retry{Attempts: 3, InitialBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, AttemptTimeout: 5 * time.Second},
	VerifyTimeout: 5 * time.Second,
	PollInterval:  50 * time.Millisecond,
	QueryTimeout:  time.Second,
}

func startBIND(t *testing.T, records ...string) *testharness.BIND {
	t.Helper()
	return testharness.StartBIND(t, testharness.BINDOptions{Zone: zone, Records: records})
}

func target(t *testing.T, name string, b *testharness.BIND) Target {
	t.Helper()
	p, err := providers.NewDNS("rfc2136", b.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	return Target{Name: name, Zone: b.Zone, Provider: p, Nameservers: []string{b.Addr}}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// one runs Cutover against a single target and returns its result.
func one(t *testing.T, tg Target, req Request) ProviderResult {
	t.Helper()
	res := Cutover(ctxFor(t), []Target{tg}, req, fast)
	if len(res) != 1 || res[0].DNS != tg.Name {
		t.Fatalf("results %+v", res)
	}
	return res[0]
}

func wantAnswer(t *testing.T, b *testharness.BIND, name, qtype string, want ...string) {
	t.Helper()
	b.WantAnswer(t, name, qtype, want...)
}

const ourMark = `"heritage=lifeboat,owner=lifeboat/www"`

func TestCutoverCreatesRecordsAndIsIdempotent(t *testing.T) {
	b := startBIND(t)
	tg := target(t, "primary", b)
	req := Request{Service: "www", Owner: testOwner, Records: []string{"@", "www"},
		Addresses: addrs("127.0.0.11", "127.0.0.12", "fd00::11"), TTL: 30 * time.Second}

	r := one(t, tg, req)
	if r.Err != nil {
		t.Fatalf("cutover: %v", r.Err)
	}
	want := []string{"@ A", "@ AAAA", "_lifeboat TXT", "_lifeboat.www TXT", "www A", "www AAAA"}
	if !slices.Equal(r.Changed, want) || r.Attempts != 1 {
		t.Errorf("changed %v in %d attempts, want %v in 1", r.Changed, r.Attempts, want)
	}
	for _, name := range []string{"@", "www"} {
		wantAnswer(t, b, name, "A", "127.0.0.11", "127.0.0.12")
		wantAnswer(t, b, name, "AAAA", "fd00::11")
	}
	wantAnswer(t, b, "_lifeboat.www", "TXT", ourMark)
	wantAnswer(t, b, "_lifeboat", "TXT", ourMark)

	again := one(t, tg, req)
	if again.Err != nil || len(again.Changed) != 0 {
		t.Errorf("second run: err %v, changed %v; want nothing changed", again.Err, again.Changed)
	}

	v := Verify(ctxFor(t), []Target{tg}, req, fast)
	if v[0].Err != nil || v[0].Attempts != 1 {
		t.Errorf("verify: err %v after %d rounds", v[0].Err, v[0].Attempts)
	}
}

func TestCutoverReplacesOwnedRecord(t *testing.T) {
	b := startBIND(t,
		"www 60 IN A 127.0.0.10",
		"www 60 IN AAAA fd00::10",
		"_lifeboat.www 60 IN TXT "+ourMark,
		"www 60 IN TXT \"v=spf1 -all\"",
	)
	tg := target(t, "primary", b)
	r := one(t, tg, Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.20")})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if want := []string{"www A", "www AAAA"}; !slices.Equal(r.Changed, want) {
		t.Errorf("changed %v, want %v", r.Changed, want)
	}
	wantAnswer(t, b, "www", "A", "127.0.0.20")
	wantAnswer(t, b, "www", "AAAA")
	wantAnswer(t, b, "www", "TXT", `"v=spf1 -all"`) // other data at the name is untouched
	wantAnswer(t, b, "_lifeboat.www", "TXT", ourMark)
}

func TestCutoverRefusesUnownedThenAdopts(t *testing.T) {
	b := startBIND(t,
		"www 60 IN A 127.0.0.10",
		"shop 60 IN CNAME shops.example.net.",
		"blog 60 IN A 127.0.0.10",
		`_lifeboat.blog 60 IN TXT "heritage=lifeboat,owner=lifeboat/blog"`,
	)
	tg := target(t, "primary", b)
	req := Request{Owner: testOwner, Records: []string{"www", "shop", "blog", "api"}, Addresses: addrs("127.0.0.20")}

	r := one(t, tg, req)
	if !errors.Is(r.Err, ErrNotOwned) {
		t.Fatalf("err = %v, want ErrNotOwned", r.Err)
	}
	for _, name := range []string{`"www"`, `"shop"`, `"blog"`, `owner "lifeboat/blog"`} {
		if !strings.Contains(r.Err.Error(), name) {
			t.Errorf("error %q does not name %s", r.Err, name)
		}
	}
	if r.Attempts != 1 {
		t.Errorf("a refusal was retried: %d attempts", r.Attempts)
	}
	// The refused records are untouched; the free one was created.
	wantAnswer(t, b, "www", "A", "127.0.0.10")
	wantAnswer(t, b, "shop", "CNAME", "shops.example.net.")
	wantAnswer(t, b, "blog", "A", "127.0.0.10")
	wantAnswer(t, b, "_lifeboat.blog", "TXT", `"heritage=lifeboat,owner=lifeboat/blog"`)
	wantAnswer(t, b, "api", "A", "127.0.0.20")

	req.Adopt = true
	r = one(t, tg, req)
	if r.Err != nil {
		t.Fatalf("adopt: %v", r.Err)
	}
	for _, name := range []string{"www", "shop", "blog", "api"} {
		wantAnswer(t, b, name, "A", "127.0.0.20")
		wantAnswer(t, b, "_lifeboat."+name, "TXT", ourMark)
	}
	wantAnswer(t, b, "shop", "CNAME")

	// Once adopted, the records are ours: no adopt needed any more.
	req.Adopt = false
	req.Addresses = addrs("127.0.0.30")
	if r = one(t, tg, req); r.Err != nil {
		t.Fatalf("after adoption: %v", r.Err)
	}
	wantAnswer(t, b, "shop", "A", "127.0.0.30")
}

func TestDryRunChangesNothing(t *testing.T) {
	b := startBIND(t, "www 60 IN A 127.0.0.10", "_lifeboat.www 60 IN TXT "+ourMark)
	tg := target(t, "primary", b)
	dry := fast
	dry.DryRun = true
	res := Cutover(ctxFor(t), []Target{tg}, Request{Owner: testOwner, Records: []string{"www", "api"}, Addresses: addrs("127.0.0.20")}, dry)
	if want := []string{"_lifeboat.api TXT", "api A", "www A"}; res[0].Err != nil || !slices.Equal(res[0].Changed, want) {
		t.Errorf("dry run: err %v, changed %v; want %v", res[0].Err, res[0].Changed, want)
	}
	wantAnswer(t, b, "www", "A", "127.0.0.10")
	wantAnswer(t, b, "api", "A")
}

func TestOneProviderDownOthersProceed(t *testing.T) {
	a := startBIND(t)
	b := startBIND(t)
	targets := []Target{target(t, "a", a), target(t, "b", b)}
	req := Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.21")}
	b.Stop()

	start := time.Now()
	res := Cutover(ctxFor(t), targets, req, fast)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cutover with a provider down took %v", took)
	}
	if res[0].DNS != "a" || res[0].Err != nil {
		t.Errorf("a: %+v, want success", res[0])
	}
	if res[1].DNS != "b" || res[1].Err == nil || res[1].Attempts != fast.Retry.Attempts {
		t.Errorf("b: %+v, want an error after %d attempts", res[1], fast.Retry.Attempts)
	}
	if strings.Contains(res[1].Err.Error(), b.Secret) {
		t.Errorf("error leaks the TSIG secret: %v", res[1].Err)
	}
	t.Logf("b failed as expected: %v", res[1].Err)
	wantAnswer(t, a, "www", "A", "127.0.0.21")

	v := Verify(ctxFor(t), targets, req, Options{VerifyTimeout: 300 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	if v[0].Err != nil || !errors.Is(v[1].Err, ErrNotVerified) {
		t.Errorf("verify: a %v, b %v; want a verified and b ErrNotVerified", v[0].Err, v[1].Err)
	}

	b.Restart(t)
	res = Cutover(ctxFor(t), targets, req, fast)
	if res[0].Err != nil || len(res[0].Changed) != 0 {
		t.Errorf("a second time: %+v, want nothing to do", res[0])
	}
	if res[1].Err != nil || !slices.Contains(res[1].Changed, "www A") {
		t.Errorf("b after restart: %+v, want it converged", res[1])
	}
	wantAnswer(t, b, "www", "A", "127.0.0.21")
	if v := Verify(ctxFor(t), targets, req, fast); v[0].Err != nil || v[1].Err != nil {
		t.Errorf("verify after convergence: %v, %v", v[0].Err, v[1].Err)
	}
}

func TestVerifyTimesOutOnAStaleAnswer(t *testing.T) {
	b := startBIND(t, "www 60 IN A 127.0.0.10")
	tg := target(t, "primary", b)
	opts := fast
	opts.VerifyTimeout = 400 * time.Millisecond
	start := time.Now()
	v := Verify(ctxFor(t), []Target{tg}, Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.20")}, opts)
	took := time.Since(start)
	if !errors.Is(v[0].Err, ErrNotVerified) {
		t.Fatalf("err = %v, want ErrNotVerified", v[0].Err)
	}
	if !strings.Contains(v[0].Err.Error(), "got [127.0.0.10], want [127.0.0.20]") {
		t.Errorf("error does not show the answers: %v", v[0].Err)
	}
	if took > 2*time.Second || v[0].Attempts < 2 {
		t.Errorf("took %v over %d rounds; want bounded near 400ms and more than one round", took, v[0].Attempts)
	}
}

func TestVerifyWaitsForTheNewAnswer(t *testing.T) {
	b := startBIND(t, "www 60 IN A 127.0.0.10", "_lifeboat.www 60 IN TXT "+ourMark)
	tg := target(t, "primary", b)
	req := Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.20")}
	done := make(chan []ProviderResult, 1)
	go func() { done <- Verify(ctxFor(t), []Target{tg}, req, fast) }()
	time.Sleep(200 * time.Millisecond) // let Verify see the old answer first
	if r := one(t, tg, req); r.Err != nil {
		t.Fatal(r.Err)
	}
	v := <-done
	if v[0].Err != nil || v[0].Attempts < 2 {
		t.Errorf("verify: err %v after %d rounds; want success after several", v[0].Err, v[0].Attempts)
	}
}

func TestReleaseRemovesOnlyOwnedRecords(t *testing.T) {
	b := startBIND(t, "www 60 IN A 127.0.0.10")
	tg := target(t, "primary", b)
	drill := Request{Owner: "lifeboat/drill", Records: []string{"drill-www"}, Addresses: addrs("127.0.0.20", "fd00::20")}
	if r := one(t, tg, drill); r.Err != nil {
		t.Fatal(r.Err)
	}
	wantAnswer(t, b, "drill-www", "A", "127.0.0.20")

	res := Release(ctxFor(t), []Target{tg}, Request{Owner: "lifeboat/drill", Records: []string{"drill-www", "www"}}, fast)
	if !errors.Is(res[0].Err, ErrNotOwned) || !strings.Contains(res[0].Err.Error(), `"www"`) {
		t.Errorf("release err = %v, want ErrNotOwned for www", res[0].Err)
	}
	if want := []string{"_lifeboat.drill-www TXT", "drill-www A", "drill-www AAAA"}; !slices.Equal(res[0].Changed, want) {
		t.Errorf("released %v, want %v", res[0].Changed, want)
	}
	wantAnswer(t, b, "drill-www", "A")
	wantAnswer(t, b, "drill-www", "AAAA")
	wantAnswer(t, b, "_lifeboat.drill-www", "TXT")
	wantAnswer(t, b, "www", "A", "127.0.0.10")
}
