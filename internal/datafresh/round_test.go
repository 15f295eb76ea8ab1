package datafresh_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// pgConfig is one service "www" with a postgres data block "db" at
// providers a (the primary) and b (the replica), built by hand.
func pgConfig(p, r *testharness.Postgres, rpo time.Duration) *config.Config {
	return &config.Config{
		Providers: []*config.Provider{{Name: "a"}, {Name: "b"}},
		Services: []*config.Service{{Name: "www", Candidates: []string{"a", "b"}, RPO: rpo,
			Data: []*config.Data{{Name: "db", Postgres: &config.PostgresData{
				DSN: map[string]string{"a": p.DSN(), "b": r.DSN()}}}}}},
	}
}

func round(t testing.TB, cfg *config.Config, opts datafresh.RoundOptions) []datafresh.Reading {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	return datafresh.Round(ctx, cfg, opts)
}

// byProvider indexes a round of one data block.
func byProvider(t *testing.T, rs []datafresh.Reading) map[string]datafresh.Reading {
	t.Helper()
	out := map[string]datafresh.Reading{}
	for _, rd := range rs {
		if rd.Kind != "postgres" || rd.Service != "www" || rd.Data != "db" {
			t.Errorf("unexpected reading %+v", rd)
		}
		out[rd.Provider] = rd
	}
	return out
}

// A round over a primary and its streaming replica: both fresh once the
// replica has replayed; with replay paused and writes at the primary, the
// replica is stale by the bytes it lacks; a stopped primary is unknown,
// and the replica is still compared with the position remembered.
func TestRoundPostgresPrimaryAndReplica(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE fresh (id int, v text)")
	r := p.StartReplica(t)
	write(t, p, 100)
	cfg := pgConfig(p, r, time.Minute)

	var rs map[string]datafresh.Reading
	deadline := time.Now().Add(20 * time.Second)
	for {
		rs = byProvider(t, round(t, cfg, datafresh.RoundOptions{}))
		if rs["b"].Verdict.State == datafresh.StateFresh || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	a, b := rs["a"], rs["b"]
	if a.Verdict.State != datafresh.StateFresh || !a.Measurement.Writable || a.Measurement.Timeline != 1 {
		t.Errorf("primary: %+v; want fresh, writable, timeline 1", a)
	}
	if b.Verdict.State != datafresh.StateFresh || !b.Measurement.InRecovery || b.Verdict.Distance != 0 {
		t.Fatalf("replica: %+v; want fresh at distance 0", b)
	}
	// This round's primary counted though nothing was remembered.
	if !strings.Contains(b.Verdict.Reason, "at or past the primary's last position") {
		t.Errorf("replica reason %q", b.Verdict.Reason)
	}
	positions := datafresh.PrimaryPositions([]datafresh.Reading{a, b})
	if len(positions) != 1 || positions[datafresh.PositionKey("www", "db")] != a.Measurement.LSN {
		t.Errorf("PrimaryPositions = %v; want www/db at %s", positions, a.Measurement.LSN)
	}
	obs := datafresh.Observe(cfg, []datafresh.Reading{a, b})
	if obs["www"]["a"].State != planner.DataFresh || obs["www"]["b"].State != planner.DataFresh {
		t.Errorf("Observe = %+v", obs)
	}

	r.SQL(t, "SELECT pg_wal_replay_pause()")
	write(t, p, 5000)
	const rpo = 300 * time.Millisecond
	time.Sleep(2 * rpo)
	cfg = pgConfig(p, r, rpo)
	rs = byProvider(t, round(t, cfg, datafresh.RoundOptions{Positions: positions}))
	a, b = rs["a"], rs["b"]
	if a.Verdict.State != datafresh.StateFresh || a.Measurement.LSN <= positions[datafresh.PositionKey("www", "db")] {
		t.Errorf("primary after writes: %+v; want fresh and moved on", a)
	}
	if b.Verdict.State != datafresh.StateStale || b.Verdict.Distance == 0 ||
		b.Verdict.Distance != uint64(a.Measurement.LSN-b.Measurement.LSN) ||
		!strings.Contains(b.Verdict.Reason, fmt.Sprintf("%d bytes behind", b.Verdict.Distance)) ||
		!b.Verdict.AgeKnown || b.Verdict.Age < rpo || !strings.Contains(b.Verdict.Reason, "age ") {
		t.Errorf("paused replica: %+v; want stale, the distance to this round's primary and an age over %v in the reason", b, rpo)
	}
	obs = datafresh.Observe(cfg, []datafresh.Reading{a, b})
	if o := obs["www"]["b"]; o.State != planner.DataStale || !strings.HasPrefix(o.Reason, "db: replica replayed") {
		t.Errorf("Observe b = %+v", o)
	}

	// The primary is lost: unknown there; the replica is compared with
	// the position remembered from the last round.
	positions = datafresh.PrimaryPositions([]datafresh.Reading{a, b})
	p.Stop(t)
	rs = byProvider(t, round(t, cfg, datafresh.RoundOptions{Positions: positions, Timeout: 3 * time.Second}))
	a, b = rs["a"], rs["b"]
	if a.Verdict.State != datafresh.StateUnknown || a.Measurement.Err == nil || !strings.Contains(a.Verdict.Reason, "measurement failed") {
		t.Errorf("stopped primary: %+v; want unknown", a)
	}
	if b.Verdict.State != datafresh.StateStale || b.Verdict.Distance == 0 {
		t.Errorf("replica without its primary: %+v; want stale against the remembered position", b)
	}
	if len(datafresh.PrimaryPositions([]datafresh.Reading{a, b})) != 0 {
		t.Errorf("a stopped primary has a position")
	}
}

// Secrets from env() never reach a measurement's error, a verdict or an
// observation: cfg.Redact runs over every error text, besides the
// sources' own hiding.
func TestRoundRedactsSecrets(t *testing.T) {
	const (
		urlToken = "uRl-t0ken-5e3c7"
		cmdToken = "cMd-t0ken-81f2a"
		pgPass   = "pG-pa55-77aa19"
	)
	closed := func() string { // a port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	addr := closed()
	secretURL := "http://" + addr + "/fresh/" + urlToken
	secretDSN := "postgres://lifeboat:" + pgPass + "@" + addr + "/app?sslmode=disable"
	env := map[string]string{"DATA_URL": secretURL, "CMD_TOKEN": cmdToken, "PG_DSN": secretDSN}
	src := `
provider "a" {
  terraform {
    dir = "infra/a"
  }
}
dns "d" {
  type = "rfc2136"
  zone = "example.com."
  settings = { server = "127.0.0.1:53" }
}
service "www" {
  records    = ["www"]
  candidates = ["a"]
  vars       = { u = env("DATA_URL"), c = env("CMD_TOKEN"), p = env("PG_DSN") }
  check "h" {
    http {
      path = "/"
    }
  }
}
`
	cfg, err := config.Parse("t.hcl", []byte(src), config.Options{LookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The data blocks by hand, as a loader would set them from env().
	cfg.Services[0].RPO = time.Minute
	cfg.Services[0].Data = []*config.Data{
		{Name: "api", HTTP: &config.HTTPData{URL: map[string]string{"a": secretURL}, Header: "X-Last"}},
		{Name: "db", Postgres: &config.PostgresData{DSN: map[string]string{"a": secretDSN}}},
		{Name: "job", Exec: &config.ExecData{Command: sh("echo \"cannot reach " + cmdToken + "\" >&2; exit 3")}},
	}
	rs := round(t, cfg, datafresh.RoundOptions{Timeout: 3 * time.Second})
	if len(rs) != 3 {
		t.Fatalf("readings: %+v", rs)
	}
	var texts []string
	for _, rd := range rs {
		if rd.Measurement.Err == nil || rd.Verdict.State != datafresh.StateUnknown {
			t.Errorf("%s: %+v; want a failed measurement", rd.Data, rd)
			continue
		}
		texts = append(texts, rd.Measurement.Err.Error(), rd.Verdict.Reason, fmt.Sprintf("%+v", rd))
	}
	texts = append(texts, datafresh.Observe(cfg, rs)["www"]["a"].Reason)
	for _, text := range texts {
		for _, s := range []string{urlToken, cmdToken, pgPass} {
			if strings.Contains(text, s) {
				t.Errorf("secret %q in %q", s, text)
			}
		}
	}
	// Still useful: the kind of failure shows.
	if e := rs[0].Measurement.Err.Error(); !strings.Contains(e, "connection refused") || !strings.Contains(e, "<hidden>") {
		t.Errorf("http error %q; want the refusal with the URL hidden", e)
	}
	if e := rs[2].Measurement.Err.Error(); !strings.Contains(e, "exit status 3: cannot reach <hidden>") {
		t.Errorf("exec error %q", e)
	}
}

// No more measurements run at once than the limit (default 16).
func TestRoundLimit(t *testing.T) {
	for _, tt := range []struct{ limit, want, providers int }{{3, 3, 12}, {0, datafresh.DefaultLimit, 24}} {
		var (
			mu             sync.Mutex
			inFlight, peak int
			reached        = make(chan struct{})
			once           sync.Once
		)
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if inFlight >= tt.want {
				once.Do(func() { close(reached) })
			}
			mu.Unlock()
			// Hold each request until the limit is reached (bounded), so
			// a round that ignored the limit would go past it.
			select {
			case <-reached:
				time.Sleep(20 * time.Millisecond)
			case <-time.After(3 * time.Second):
			}
			mu.Lock()
			inFlight--
			mu.Unlock()
			w.Header().Set("X-Last", "1796644790")
		})
		urls := map[string]string{}
		for i := range tt.providers {
			urls[fmt.Sprintf("p%02d", i)] = srv.URL
		}
		cfg := &config.Config{Services: []*config.Service{{Name: "www",
			Data: []*config.Data{{Name: "api", HTTP: &config.HTTPData{URL: urls, Header: "X-Last"}}}}}}
		rs := round(t, cfg, datafresh.RoundOptions{Limit: tt.limit, Now: fixedNow})
		if len(rs) != tt.providers {
			t.Fatalf("%d readings", len(rs))
		}
		for i, rd := range rs {
			if rd.Verdict.State != datafresh.StateFresh || rd.Measurement.Age != 10*time.Second {
				t.Errorf("reading %d: %+v", i, rd)
			}
			if i > 0 && rs[i-1].Provider >= rd.Provider {
				t.Errorf("readings not sorted by provider: %s before %s", rs[i-1].Provider, rd.Provider)
			}
		}
		if peak != tt.want {
			t.Errorf("limit %d: peak %d measurements in flight, want %d", tt.limit, peak, tt.want)
		}
	}
}

// Round filters by service and sorts by service, data, provider.
func TestRoundServiceFilterAndOrder(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Last", "1796644790") })
	block := func(name string) *config.Data {
		return &config.Data{Name: name, HTTP: &config.HTTPData{Header: "X-Last",
			URL: map[string]string{"b": srv.URL, "a": srv.URL}}}
	}
	cfg := &config.Config{Services: []*config.Service{
		{Name: "zeta", Data: []*config.Data{block("y"), block("x")}},
		{Name: "alpha", Data: []*config.Data{block("q")}},
	}}
	var got []string
	for _, rd := range round(t, cfg, datafresh.RoundOptions{Now: fixedNow}) {
		got = append(got, rd.Service+"/"+rd.Data+"/"+rd.Provider)
	}
	want := "alpha/q/a alpha/q/b zeta/x/a zeta/x/b zeta/y/a zeta/y/b"
	if strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", got, want)
	}
	got = got[:0]
	for _, rd := range round(t, cfg, datafresh.RoundOptions{Service: "alpha", Now: fixedNow}) {
		got = append(got, rd.Service+"/"+rd.Data+"/"+rd.Provider)
	}
	if strings.Join(got, " ") != "alpha/q/a alpha/q/b" {
		t.Errorf("service alpha: %q", got)
	}
}

// Data blocks sharing one DSN share one measurement: one connection per
// round, not one per service.
func TestRoundSharedDSNMeasuredOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{}, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close() // not PostgreSQL: every measurement fails
		}
	}()
	dsn := "postgres://u@" + l.Addr().String() + "/db?sslmode=disable"
	cfg := &config.Config{}
	for _, name := range []string{"s1", "s2", "s3"} {
		cfg.Services = append(cfg.Services, &config.Service{Name: name, Data: []*config.Data{{Name: "db",
			Postgres: &config.PostgresData{DSN: map[string]string{"a": dsn}}}}})
	}
	rs := round(t, cfg, datafresh.RoundOptions{Timeout: 3 * time.Second})
	if len(rs) != 3 {
		t.Fatalf("readings: %+v", rs)
	}
	for _, rd := range rs {
		if rd.Measurement.Err == nil || rd.Verdict.State != datafresh.StateUnknown || rd.Measurement.At != rs[0].Measurement.At {
			t.Errorf("%s: %+v; want the one failed measurement", rd.Service, rd)
		}
	}
	time.Sleep(50 * time.Millisecond) // a late second connection would show
	if n := len(accepted); n != 1 {
		t.Errorf("%d connections for one DSN in one round, want 1", n)
	}
}
