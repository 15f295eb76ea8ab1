package datafresh_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// measure takes one measurement under a deadline, as every caller must.
func measure(t testing.TB, dsn string) datafresh.Measurement {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return datafresh.Postgres{DSN: dsn}.Measure(ctx)
}

// primaryLSN measures the primary, checks it is a writable primary, and
// returns its WAL position: the position the caller remembers.
func primaryLSN(t *testing.T, p *testharness.Postgres) datafresh.LSN {
	t.Helper()
	m := measure(t, p.DSN())
	if m.Err != nil || m.InRecovery || !m.Writable || m.LSN == 0 {
		t.Fatalf("primary measurement = %+v; want a writable primary with a WAL position", m)
	}
	return m.LSN
}

// waitReplica measures the replica until ok holds (bounded), returning the
// last measurement.
func waitReplica(t *testing.T, r *testharness.Postgres, what string, ok func(datafresh.Measurement) bool) datafresh.Measurement {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := measure(t, r.DSN())
		if m.Err != nil {
			t.Fatalf("replica measurement failed: %v", m.Err)
		}
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica: %s not reached within 20s; last measurement %+v", what, m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noSecret fails the test when text holds the password or the DSN.
func noSecret(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("error text holds a secret (%d bytes): %s", len(s), text)
		}
	}
}

func write(t *testing.T, p *testharness.Postgres, n int) {
	t.Helper()
	p.SQL(t, fmt.Sprintf("INSERT INTO fresh SELECT g, md5(g::text) FROM generate_series(1, %d) g", n))
}

// Writes at the primary reach the replica: once replayed, it is fresh with
// zero distance from the primary's position and a small age.
func TestPostgresReplicaFreshOnceReplayed(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE fresh (id int, v text)")
	r := p.StartReplica(t)
	write(t, p, 1000)
	last := primaryLSN(t, p)

	m := waitReplica(t, r, "replayed to the primary's position", func(m datafresh.Measurement) bool {
		return m.LSN >= last
	})
	if !m.InRecovery || m.Writable {
		t.Errorf("replica measurement = %+v; want in recovery, not writable", m)
	}
	v := datafresh.Fresh(m, last, 5*time.Second)
	if v.State != datafresh.StateFresh || v.Distance != 0 || !v.AgeKnown || v.Age > 5*time.Second {
		t.Errorf("verdict = %+v; want fresh, distance 0, a small known age", v)
	}
	if got := r.SQL(t, "SELECT count(*) FROM fresh"); got != "1000" {
		t.Errorf("replica holds %s rows, want 1000", got)
	}
}

// Replay paused at the replica while the primary takes writes: the
// replica is behind the primary's position (stale, distance > 0), WAL is
// pending, and its data age grows past a small RPO, so even compared
// with its own replayed position it is stale. Resumed, it is fresh again.
func TestPostgresReplicaPausedGoesStale(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE fresh (id int, v text)")
	r := p.StartReplica(t)
	write(t, p, 10) // a replayed commit, so the replay timestamp is set
	first := primaryLSN(t, p)
	waitReplica(t, r, "replayed the first writes", func(m datafresh.Measurement) bool { return m.LSN >= first })

	r.SQL(t, "SELECT pg_wal_replay_pause()")
	write(t, p, 1000)
	last := primaryLSN(t, p)

	const rpo = 500 * time.Millisecond
	m := waitReplica(t, r, "WAL pending and age past the RPO", func(m datafresh.Measurement) bool {
		return m.ReceivedLSN >= last && m.Pending && m.LagKnown && m.Lag > 2*rpo
	})
	v := datafresh.Fresh(m, last, rpo)
	if v.State != datafresh.StateStale || v.Distance == 0 || v.Distance != uint64(last-m.LSN) {
		t.Errorf("verdict against the primary's position = %+v; want stale, distance %d", v, last-m.LSN)
	}
	if !strings.Contains(v.Reason, "bytes behind") {
		t.Errorf("reason %q does not give the distance", v.Reason)
	}
	// Against its own position the distance is zero: the age alone makes it stale.
	if v := datafresh.Fresh(m, m.LSN, rpo); v.State != datafresh.StateStale || v.Distance != 0 || v.Age <= rpo ||
		!strings.Contains(v.Reason, "over the RPO") {
		t.Errorf("verdict on age = %+v; want stale by age over the RPO %v", v, rpo)
	}
	later := waitReplica(t, r, "age still growing", func(n datafresh.Measurement) bool { return n.Lag > m.Lag })
	if later.LSN != m.LSN {
		t.Errorf("replay moved while paused: %v → %v", m.LSN, later.LSN)
	}

	r.SQL(t, "SELECT pg_wal_replay_resume()")
	m = waitReplica(t, r, "replay resumed to the primary's position", func(m datafresh.Measurement) bool {
		return m.LSN >= last && !m.Pending
	})
	if v := datafresh.Fresh(m, last, rpo); v.State != datafresh.StateFresh || v.Age != 0 {
		t.Errorf("after resume: verdict = %+v; want fresh with age 0", v)
	}
}

// The primary stops: its measurement fails (unknown, no secret in the
// error), and the replica is still judged against the primary's last
// position seen: behind it while replay is paused, fresh once it has
// replayed what it received before the primary went away.
func TestPostgresPrimaryGoneReplicaJudgedByLastPosition(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE fresh (id int, v text)")
	r := p.StartReplica(t)
	write(t, p, 10)
	first := primaryLSN(t, p)
	waitReplica(t, r, "replayed the first writes", func(m datafresh.Measurement) bool { return m.LSN >= first })
	r.SQL(t, "SELECT pg_wal_replay_pause()")
	write(t, p, 1000)
	last := primaryLSN(t, p)
	waitReplica(t, r, "received the primary's position", func(m datafresh.Measurement) bool { return m.ReceivedLSN >= last })

	p.Stop(t)
	pm := measure(t, p.DSN())
	if pm.Err == nil {
		t.Fatalf("measurement of a stopped primary = %+v, want an error", pm)
	}
	noSecret(t, pm.Err.Error(), p.Password, p.DSN())
	if v := datafresh.Fresh(pm, last, time.Minute); v.State != datafresh.StateUnknown {
		t.Errorf("stopped primary: verdict %+v, want unknown", v)
	}

	// The replica no longer receives, but what it received stays known.
	m := measure(t, r.DSN())
	if m.Err != nil {
		t.Fatalf("replica measurement: %v", m.Err)
	}
	if m.ReceivedLSN < last {
		t.Errorf("replica receive position %v fell below the last primary position %v", m.ReceivedLSN, last)
	}
	if v := datafresh.Fresh(m, last, time.Minute); v.State != datafresh.StateStale || v.Distance == 0 {
		t.Errorf("paused replica, primary gone: verdict %+v; want stale with a distance", v)
	}

	r.SQL(t, "SELECT pg_wal_replay_resume()")
	m = waitReplica(t, r, "replayed to the last primary position", func(m datafresh.Measurement) bool {
		return m.LSN >= last && !m.Pending
	})
	if v := datafresh.Fresh(m, last, time.Minute); v.State != datafresh.StateFresh || v.Distance != 0 {
		t.Errorf("replica replayed all, primary gone: verdict %+v; want fresh", v)
	}
}

// A wrong password: the measurement fails, unknown, and neither the
// password tried nor the real one is in the error.
func TestPostgresWrongPasswordIsUnknown(t *testing.T) {
	p := testharness.StartPostgres(t)
	wrong := "wrong-" + p.Password[:12]
	dsns := []string{
		p.DSNWithPassword(wrong),
		fmt.Sprintf("host=%s port=%d user=postgres password=%s dbname=postgres sslmode=disable", p.Host, p.Port, wrong),
	}
	for _, dsn := range dsns {
		m := measure(t, dsn)
		if m.Err == nil {
			t.Fatalf("measurement with a wrong password = %+v, want an error", m)
		}
		if !strings.Contains(m.Err.Error(), "password authentication failed") {
			t.Errorf("error %q does not say the login failed", m.Err)
		}
		noSecret(t, m.Err.Error(), wrong, p.Password, dsn)
		if v := datafresh.Fresh(m, 1, time.Hour); v.State != datafresh.StateUnknown {
			t.Errorf("wrong password: verdict %+v, want unknown", v)
		}
		noSecret(t, datafresh.Fresh(m, 1, time.Hour).Reason, wrong, dsn)
	}
}

// A server that accepts the connection but never answers: the measurement
// ends at the caller's deadline, unknown.
func TestPostgresSilentServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the listener closes
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	dsn := "postgres://postgres:s3cret-pass@" + l.Addr().String() + "/postgres?sslmode=disable"
	m := datafresh.Postgres{DSN: dsn}.Measure(ctx)
	if m.Err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("silent server: measurement %+v after %v; want an error at the deadline", m, time.Since(start))
	}
	noSecret(t, m.Err.Error(), "s3cret-pass", dsn)
	if datafresh.Fresh(m, 1, time.Hour).State != datafresh.StateUnknown {
		t.Error("silent server: verdict not unknown")
	}
}

// Without a deadline nothing is asked: a server that never answers would
// stall the caller.
func TestMeasureNeedsDeadline(t *testing.T) {
	m := datafresh.Postgres{DSN: "postgres://u:p@127.0.0.1:1/x"}.Measure(context.Background())
	if !errors.Is(m.Err, datafresh.ErrNoDeadline) {
		t.Errorf("measurement without a deadline: err %v, want ErrNoDeadline", m.Err)
	}
}

// A DSN that does not parse: unknown, its password not in the error.
func TestMeasureBadDSNHidesPassword(t *testing.T) {
	dsn := "postgres://u:hunter2-secret@127.0.0.1:notaport/x"
	m := measure(t, dsn)
	if m.Err == nil {
		t.Fatal("bad DSN: no error")
	}
	noSecret(t, m.Err.Error(), "hunter2-secret", dsn)
}

// One measurement round over N DSNs (a primary and a replica, measured N/2
// times each), 8 at a time.
func BenchmarkMeasureAll(b *testing.B) {
	p := testharness.StartPostgres(b)
	r := p.StartReplica(b)
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("dsns=%d", n), func(b *testing.B) {
			sources := make([]datafresh.Postgres, n)
			for i := range sources {
				sources[i].DSN = p.DSN()
				if i%2 == 1 {
					sources[i].DSN = r.DSN()
				}
			}
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				for _, m := range datafresh.MeasureAll(ctx, sources, 8) {
					if m.Err != nil {
						b.Fatal(m.Err)
					}
				}
				cancel()
			}
		})
	}
}
