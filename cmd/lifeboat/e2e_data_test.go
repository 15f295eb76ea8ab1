package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// dataWorld is a world whose service www keeps its data in PostgreSQL:
// the primary at alpha, a streaming replica at bravo (both real servers
// on loopback), with an RPO.
type dataWorld struct {
	*world
	primary, replica *testharness.Postgres
}

func newDataWorld(t *testing.T, rpo, policy, extra string) *dataWorld {
	t.Helper()
	primary := testharness.StartPostgres(t)
	replica := primary.StartReplica(t)
	primary.SQL(t, "CREATE TABLE items (id serial PRIMARY KEY, note text)")
	primary.SQL(t, "INSERT INTO items (note) VALUES ('before')")
	w := newWorld(t, worldOptions{policy: policy, extra: extra, service: fmt.Sprintf(`
  rpo = %q
  data "db" {
    postgres {
      dsn = {
        alpha = env("E2E_PG_ALPHA")
        bravo = env("E2E_PG_BRAVO")
      }
    }
  }`, rpo)})
	w.extraEnv = append(w.extraEnv, "E2E_PG_ALPHA="+primary.DSN(), "E2E_PG_BRAVO="+replica.DSN())
	return &dataWorld{world: w, primary: primary, replica: replica}
}

type dataRowJSON struct {
	Service, Data, Provider, State, Reason string
	AgeSeconds                             float64 `json:"age_seconds"`
	AgeKnown                               bool    `json:"age_known"`
}

func (w *dataWorld) dataRows() []dataRowJSON {
	w.t.Helper()
	r := w.lifeboat(nil, "status", "-o", "json")
	var doc struct{ Data []dataRowJSON }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		w.t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return doc.Data
}

func rowAt(rows []dataRowJSON, provider string) (dataRowJSON, bool) {
	for _, r := range rows {
		if r.Service == "www" && r.Data == "db" && r.Provider == provider {
			return r, true
		}
	}
	return dataRowJSON{}, false
}

// canWrite reports whether an insert at p succeeds, and the error text.
func canWrite(p *testharness.Postgres, note string) (bool, string) {
	_, err := p.TrySQL("INSERT INTO items (note) VALUES ('" + note + "')")
	if err != nil {
		return false, err.Error()
	}
	return true, ""
}

// The replica's lag is measured and shown; replay paused, its data
// passes the RPO: the daemon's round sees it (status, data.stale), plan
// rejects it with the age, the daemon holds the automatic failover back
// (journaled), and an operator's --accept-data-loss moves it with the
// accepted age recorded.
func TestDataStaleReplicaGatesFailover(t *testing.T) {
	t.Parallel()
	hook := newReceiver(t)
	w := newDataWorld(t, "3s", autoPolicy+"\n  data_interval = \"1s\"", fmt.Sprintf(`
notify "data" {
  events = ["data"]
  webhook {
    url = %q
  }
}
`, hook.srv.URL))
	w.startAlpha()

	// Without a daemon, status measures by itself.
	waitFor(t, 30*time.Second, "status shows the primary and the replica fresh", func() bool {
		rows := w.dataRows()
		r, ok := rowAt(rows, "bravo")
		p, pok := rowAt(rows, "alpha")
		return ok && r.State == "fresh" && r.AgeKnown && pok && p.State == "fresh"
	})

	// With one, status shows the daemon's own round.
	d := w.startDaemon()
	w.waitHealthyIn("alpha")
	waitFor(t, 30*time.Second, "the daemon's status shows the replica fresh", func() bool {
		r, ok := rowAt(w.dataRows(), "bravo")
		return ok && r.State == "fresh"
	})

	// Replication stops; writes go on at the primary.
	w.replica.SQL(t, "SELECT pg_wal_replay_pause()")
	for i := range 3 {
		w.primary.SQL(t, fmt.Sprintf("INSERT INTO items (note) VALUES ('after-pause-%d')", i))
	}
	waitFor(t, 30*time.Second, "the daemon's status shows the replica stale", func() bool {
		r, ok := rowAt(w.dataRows(), "bravo")
		return ok && r.State == "stale" && strings.Contains(r.Reason, "behind")
	})
	waitFor(t, 30*time.Second, "data.stale delivered", func() bool {
		return slices.Contains(hook.names(), "data.stale")
	})
	if text := w.lifeboat(nil, "status"); !strings.Contains(text.stdout, "STALE") {
		t.Fatalf("status text does not show the stale data:\n%s", text.stdout)
	}

	r := w.lifeboat(nil, "plan", "--from", "alpha")
	if !strings.Contains(r.stdout, "bravo") || !strings.Contains(r.stdout, "RPO") || !strings.Contains(r.stdout, "blocked") {
		t.Fatalf("plan does not reject bravo for its data: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The daemon sees alpha lost and holds back: it never accepts data loss.
	w.cutOffAlpha()
	waitFor(t, 60*time.Second, "a held-back decision naming the data", func() bool {
		for _, dec := range w.decisions() {
			if dec.Data.Action == "held_back" && strings.Contains(dec.Summary, "data") && strings.Contains(dec.Summary, "--accept-data-loss") {
				return true
			}
		}
		return false
	})
	if n := w.automaticOps(); n != 0 {
		t.Fatalf("%d automatic operations ran on stale data", n)
	}
	// Status (and the page) say what is held back and what to type.
	var doc struct {
		Daemon struct {
			HeldBack string `json:"held_back"`
		}
	}
	if r := w.lifeboat(nil, "status", "-o", "json"); json.Unmarshal([]byte(r.stdout), &doc) != nil || !strings.Contains(doc.Daemon.HeldBack, "--accept-data-loss") {
		t.Fatalf("status does not show the held-back decision: %q\n%s", doc.Daemon.HeldBack, r.stdout)
	}
	if !w.answers(w.alphaIP) {
		t.Fatal("DNS moved although the data at bravo is stale")
	}
	d.stop(syscall.SIGTERM, 45*time.Second)

	// An operator accepts the loss.
	r = w.lifeboat(nil, "failover", "--from", "alpha", "--accept-data-loss", "--yes")
	if r.code != 0 {
		t.Fatalf("failover --accept-data-loss: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "data loss") {
		t.Fatalf("the summary does not name the data loss accepted:\n%s", r.stdout)
	}
	if !w.answers(w.bravoIP) {
		t.Fatal("DNS does not answer bravo")
	}
	ops := w.history()
	if len(ops) != 1 {
		t.Fatalf("%d operations, want 1", len(ops))
	}
	var plan planner.Result
	if err := json.Unmarshal(ops[0].Plan, &plan); err != nil {
		t.Fatalf("the journaled plan: %v", err)
	}
	accepted := ""
	for _, sp := range plan.Services {
		accepted = sp.AcceptedDataLoss
	}
	if accepted == "" || !strings.Contains(ops[0].Summary, "accepting data loss of "+accepted) {
		t.Fatalf("the journal does not record the data loss accepted: plan %+v, summary %q", plan.Services, ops[0].Summary)
	}
	t.Logf("accepted: %s", accepted)
}

// With a fresh replica a plain failover fences the old primary (a write
// there fails), promotes the replica (a write there succeeds); killed
// between promote and cutover, resume completes it, promoting once.
func TestDataFreshFailoverFencesPromotesAndResumes(t *testing.T) {
	t.Parallel()
	w := newDataWorld(t, "30s", "", "")
	w.startAlpha()
	waitFor(t, 30*time.Second, "status shows the replica fresh", func() bool {
		r, ok := rowAt(w.dataRows(), "bravo")
		return ok && r.State == "fresh"
	})

	r := w.lifeboat([]string{"LIFEBOAT_TEST_KILL_AT=www/bravo/db/promote:finished"}, "failover", "--from", "alpha", "--yes")
	if !r.killed {
		t.Fatalf("the failover was not killed after promote: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ok, msg := canWrite(w.primary, "fenced"); ok {
		t.Fatal("a write to the old primary succeeded after the fence")
	} else if !strings.Contains(msg, "read-only") {
		t.Fatalf("the old primary refused the write for another reason: %s", msg)
	}
	if ok, msg := canWrite(w.replica, "promoted"); !ok {
		t.Fatalf("a write to the promoted replica failed: %s", msg)
	}
	if w.answers(w.bravoIP) {
		t.Fatal("DNS moved before the kill point")
	}

	r = w.lifeboat(nil, "resume")
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !w.answers(w.bravoIP) {
		t.Fatal("DNS does not answer bravo after resume")
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("want one succeeded operation, got %+v", ops)
	}
	if n := okAttempts(ops[0], "www/bravo/db/promote"); n != 1 {
		t.Fatalf("promote ran to success %d times, want once", n)
	}
	if n := okAttempts(ops[0], "www/alpha/db/fence"); n != 1 {
		t.Fatalf("fence ran to success %d times, want once", n)
	}
	// Run twice: nothing more happens.
	if r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes"); r.code != 0 {
		t.Fatalf("second failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ops := w.history(); len(ops) != 1 {
		t.Fatalf("a second failover started operation %d", len(ops))
	}
}

// A restore drill takes the newest pg_dump in the bucket, restores it
// into a scratch database, checks it with the drill's query, reports the
// restore time and the backup's age, and drops the scratch database; a
// truncated dump fails the drill with the reason.
func TestDataRestoreDrillFromTheBucket(t *testing.T) {
	t.Parallel()
	primary := testharness.StartPostgres(t)
	primary.SQL(t, "CREATE TABLE items (id serial PRIMARY KEY, note text)")
	primary.SQL(t, "INSERT INTO items (note) VALUES ('kept')")
	dump := primary.Dump(t, "postgres")
	s3 := testharness.StartS3(t)
	s3.MakeBucket(t, "backups")
	s3.Put(t, "backups", "www/2026-12-06.dump", dump)

	w := newWorld(t, worldOptions{service: fmt.Sprintf(`
  backup "offsite" {
    vendor = "offsite-storage"
    prefix = "www/"
    s3 {
      endpoint   = %q
      bucket     = "backups"
      access_key = env("E2E_S3_KEY")
      secret_key = env("E2E_S3_SECRET")
    }
  }`, s3.Endpoint()), extra: `
drill "restore" {
  service = "www"
  mode    = "restore"
  target  = "bravo"
  restore {
    dsn   = env("E2E_PG_SCRATCH")
    query = "SELECT 1 FROM items WHERE note = 'kept'"
  }
}
`})
	w.extraEnv = append(w.extraEnv, "E2E_S3_KEY="+s3.AccessKey(), "E2E_S3_SECRET="+s3.SecretKey(), "E2E_PG_SCRATCH="+primary.DSN())
	w.startAlpha()
	scratch := func() string {
		return primary.SQL(t, "SELECT count(*) FROM pg_database WHERE datname LIKE 'lifeboat_restore%'")
	}

	rep, r := w.runDrill("restore")
	if r.code != 0 || !rep.OK {
		t.Fatalf("restore drill: exit %d, %+v\n%s", r.code, rep, r.stderr)
	}
	if rep.Restore == nil || rep.Restore.Backup != "www/2026-12-06.dump" || rep.Restore.RestoreTime <= 0 || rep.Restore.BackupAge <= 0 || !rep.Restore.Dropped || rep.Restore.QueryRows < 1 {
		t.Fatalf("the report's restore: %+v", rep.Restore)
	}
	if n := scratch(); n != "0" {
		t.Fatalf("%s scratch databases left after the drill", n)
	}
	text := w.lifeboat(nil, "history", "--drills")
	if !strings.Contains(text.stdout, "restore") {
		t.Fatalf("history --drills does not show the restore drill:\n%s", text.stdout)
	}

	// A newer, truncated dump: the drill fails and says why.
	s3.Put(t, "backups", "www/2026-12-07.dump", dump[:len(dump)/2])
	rep, r = w.runDrill("restore")
	if r.code == 0 || rep.OK {
		t.Fatalf("a truncated dump passed the drill: %+v", rep)
	}
	if !strings.Contains(strings.Join(rep.Failures, "\n"), "pg_restore") {
		t.Fatalf("the failure does not give pg_restore's reason: %q", rep.Failures)
	}
	if n := scratch(); n != "0" {
		t.Fatalf("%s scratch databases left after the failed drill", n)
	}
	for _, secret := range []string{s3.SecretKey(), primary.Password} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Fatal("a secret appears in the drill's output")
		}
	}
}
