package executor

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// dataExecutor is an executor on a fresh world whose configuration holds
// data block d for service www.
func dataExecutor(t *testing.T, d *config.Data, dir string) *Executor {
	t.Helper()
	w := newWorld(t)
	env := w.env(nil)
	env.Data = func(service, name string) (*config.Data, error) {
		if service != testService || name != d.Name {
			return nil, nil
		}
		return d, nil
	}
	env.Dir = dir
	e, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func pgData(dsn map[string]string) *config.Data {
	return &config.Data{Name: "db", Postgres: &config.PostgresData{DSN: dsn}}
}

func fenceStep(provider string) planner.Step {
	return planner.Step{ID: planner.DataStepID(testService, provider, "db", planner.StepFence), Kind: planner.StepFence, Service: testService, Provider: provider, Data: "db"}
}

func promoteStep(provider string) planner.Step {
	return planner.Step{ID: planner.DataStepID(testService, provider, "db", planner.StepPromote), Kind: planner.StepPromote, Service: testService, Provider: provider, Data: "db"}
}

func pgConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func exec1(c *pgx.Conn, q string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Exec(ctx, q)
	return err
}

// readOnlyErr reports whether err is PostgreSQL's "cannot execute ... in
// a read-only transaction".
func readOnlyErr(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "25006"
}

// After the fence, a write at the old primary fails: in a new session
// (read-only by default), in a session opened before (ended), and in a
// transaction left open before (rolled back with its session).
func TestFenceMakesTheOldPrimaryRefuseWrites(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE t (v int)")
	before := pgConn(t, p.DSN())
	inTx := pgConn(t, p.DSN())
	if err := exec1(inTx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if err := exec1(inTx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	// A session that overrode the default: the setting alone would not stop it.
	if err := exec1(before, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}

	e := dataExecutor(t, pgData(map[string]string{"alpha": p.DSN()}), "")
	out, msg, err := e.fence(context.Background(), fenceStep("alpha"))
	if err != nil || out[outFenced] != "true" {
		t.Fatalf("fence: %v, %v, %q", out, err, msg)
	}
	if out[outEnded] != "2" {
		t.Errorf("sessions ended %q, want 2 (%s)", out[outEnded], msg)
	}
	if err := exec1(before, "INSERT INTO t VALUES (2)"); err == nil {
		t.Error("a session opened before the fence still writes")
	}
	if err := exec1(inTx, "COMMIT"); err == nil {
		t.Error("a transaction open before the fence committed")
	}
	after := pgConn(t, p.DSN())
	if err := exec1(after, "INSERT INTO t VALUES (3)"); !readOnlyErr(err) {
		t.Errorf("a new session's write: %v, want a read-only transaction error", err)
	}
	if n := p.SQL(t, "SELECT count(*) FROM t"); n != "0" {
		t.Errorf("%s rows written, want 0", n)
	}
	// Fencing again (a resumed operation) is fine.
	if out, _, err := e.fence(context.Background(), fenceStep("alpha")); err != nil || out[outFenced] != "true" {
		t.Fatalf("second fence: %v, %v", out, err)
	}
}

// An old primary that is gone, or that accepts connections and never
// answers, is not fenced, and the step is done within its bound saying so.
func TestFenceOfAGoneOldPrimaryIsDoneUnfenced(t *testing.T) {
	p := testharness.StartPostgres(t)
	stopped := p.DSN()
	p.Stop(t)
	silent := silentListener(t)
	for name, dsn := range map[string]string{
		"stopped": stopped,
		"silent":  "postgres://postgres:Fence-Pw-0451@" + silent + "/postgres?sslmode=disable&connect_timeout=60",
	} {
		t.Run(name, func(t *testing.T) {
			e := dataExecutor(t, pgData(map[string]string{"alpha": dsn}), "")
			st := fenceStep("alpha")
			st.TimeoutSeconds = 1
			start := time.Now()
			out, msg, err := e.fence(context.Background(), st)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("the fence took %s, bound 1 s", took)
			}
			if err != nil || out[outFenced] != "false" || out[outWhy] == "" {
				t.Fatalf("fence: %v, %v; want done with fenced=false and a reason", out, err)
			}
			if !strings.Contains(msg, "could not be fenced") {
				t.Errorf("message %q", msg)
			}
			if strings.Contains(msg+out[outWhy], "Fence-Pw-0451") || strings.Contains(msg+out[outWhy], p.Password) {
				t.Errorf("the password shows: %q %q", msg, out[outWhy])
			}
		})
	}
}

// silentListener accepts TCP connections on loopback and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return l.Addr().String()
}

// Promote makes the replica the primary: a write there succeeds; a second
// promote is "already primary" and changes nothing.
func TestPromoteMakesTheReplicaWritable(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE t (v int)")
	r := p.StartReplica(t)
	if got := r.SQL(t, "SELECT pg_is_in_recovery()"); got != "t" {
		t.Fatalf("the replica is not in recovery: %q", got)
	}
	e := dataExecutor(t, pgData(map[string]string{"alpha": p.DSN(), "bravo": r.DSN()}), "")
	out, msg, err := e.promote(context.Background(), nil, promoteStep("bravo"), planner.ServicePlan{})
	if err != nil || out[outPromoted] != "true" {
		t.Fatalf("promote: %v, %v, %q", out, err, msg)
	}
	if err := exec1(pgConn(t, r.DSN()), "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("a write at the promoted replica: %v", err)
	}
	out, msg, err = e.promote(context.Background(), nil, promoteStep("bravo"), planner.ServicePlan{})
	if err != nil || out[outPromoted] != "already" || !strings.Contains(msg, "already the primary") {
		t.Fatalf("second promote: %v, %v, %q", out, err, msg)
	}
}

// Failing back to an old primary that was fenced: it is a primary that
// refuses writes by default, and promote undoes the fence.
func TestPromoteUndoesAnEarlierFence(t *testing.T) {
	p := testharness.StartPostgres(t)
	p.SQL(t, "CREATE TABLE t (v int)")
	e := dataExecutor(t, pgData(map[string]string{"alpha": p.DSN()}), "")
	if out, _, err := e.fence(context.Background(), fenceStep("alpha")); err != nil || out[outFenced] != "true" {
		t.Fatalf("fence: %v %v", out, err)
	}
	out, _, err := e.promote(context.Background(), nil, promoteStep("alpha"), planner.ServicePlan{})
	if err != nil || out[outPromoted] != "true" {
		t.Fatalf("promote: %v %v", out, err)
	}
	if err := exec1(pgConn(t, p.DSN()), "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("a write after the promote: %v", err)
	}
}

// A promote that cannot reach the target fails the step, whatever the
// reason, and never quotes the password.
func TestPromoteThatCannotConnectFails(t *testing.T) {
	p := testharness.StartPostgres(t)
	const pw = "Promote-Pw-8812"
	p.SQL(t, "ALTER ROLE postgres PASSWORD '"+pw+"'")
	good := p.DSNWithPassword(pw)
	stopped := testharness.StartPostgres(t)
	stoppedDSN := stopped.DSNWithPassword(pw)
	stopped.Stop(t)
	for name, dsn := range map[string]string{
		"stopped":        stoppedDSN,
		"wrong password": p.DSNWithPassword(pw + "-wrong"),
		"bad DSN":        strings.Replace(good, "sslmode=disable", "sslmode=bogus", 1),
		"no DSN":         "",
	} {
		t.Run(name, func(t *testing.T) {
			e := dataExecutor(t, pgData(map[string]string{"bravo": dsn}), "")
			st := promoteStep("bravo")
			st.TimeoutSeconds = 5
			_, _, err := e.promote(context.Background(), nil, st, planner.ServicePlan{})
			if !errors.Is(err, ErrNotPromoted) {
				t.Fatalf("promote: %v, want ErrNotPromoted", err)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("the error quotes the password: %v", err)
			}
		})
	}
}

// writeScript writes an executable sh script in dir.
func writeScript(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// A fence or promote command runs from the configuration's directory with
// the base environment, its pass_env and env, and LIFEBOAT_SERVICE,
// LIFEBOAT_DATA and LIFEBOAT_PROVIDER; nothing else of lifeboat's.
func TestDataCommandEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LIFEBOAT_TEST_PASSED", "passed-value")
	t.Setenv("LIFEBOAT_TEST_HIDDEN", "hidden-value")
	writeScript(t, dir, "act.sh", `env > "$OUT"; pwd >> "$OUT"; echo "done at $LIFEBOAT_PROVIDER"`)
	for _, kind := range []planner.StepKind{planner.StepFence, planner.StepPromote} {
		t.Run(string(kind), func(t *testing.T) {
			outFile := filepath.Join(t.TempDir(), "env")
			a := &config.DataAction{Command: []string{"./act.sh"}, Env: map[string]string{"OUT": outFile, "TOKEN": "tok-3391"},
				PassEnv: []string{"LIFEBOAT_TEST_PASSED"}}
			d := &config.Data{Name: "db", Postgres: &config.PostgresData{}, Fence: a, Promote: a}
			e := dataExecutor(t, d, dir)
			var out map[string]string
			var msg string
			var err error
			if kind == planner.StepFence {
				out, msg, err = e.fence(context.Background(), fenceStep("alpha"))
				if out[outFenced] != "true" {
					t.Errorf("outputs %v", out)
				}
			} else {
				out, msg, err = e.promote(context.Background(), nil, promoteStep("alpha"), planner.ServicePlan{})
				if out[outPromoted] != "true" {
					t.Errorf("outputs %v", out)
				}
			}
			if err != nil || !strings.Contains(msg, "done at alpha") {
				t.Fatalf("%s: %v, %q", kind, err, msg)
			}
			raw, rerr := os.ReadFile(outFile)
			if rerr != nil {
				t.Fatal(rerr)
			}
			got := string(raw)
			for _, want := range []string{"LIFEBOAT_SERVICE=www\n", "LIFEBOAT_DATA=db\n", "LIFEBOAT_PROVIDER=alpha\n",
				"LIFEBOAT_TEST_PASSED=passed-value\n", "TOKEN=tok-3391\n", "PATH=", "\n" + dir + "\n"} {
				if !strings.Contains(got, want) {
					t.Errorf("the command's environment lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "hidden-value") {
				t.Errorf("a variable not in pass_env reached the command:\n%s", got)
			}
		})
	}
}

// A failing fence command leaves the step done, unfenced, with the
// command's first error line (its secrets hidden); a failing promote
// command fails the step with it; a command that does not exit within
// the step's bound is killed.
func TestDataCommandFailures(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "fail.sh", "echo some output\necho \"refused by $TOKEN\" >&2\necho second line >&2\nexit 3\n")
	writeScript(t, dir, "hang.sh", "sleep 30\n")
	fail := &config.DataAction{Command: []string{"./fail.sh"}, Env: map[string]string{"TOKEN": "tok-secret-7781"}}
	hang := &config.DataAction{Command: []string{"./hang.sh"}}

	e := dataExecutor(t, &config.Data{Name: "db", Fence: fail, Promote: fail}, dir)
	out, msg, err := e.fence(context.Background(), fenceStep("alpha"))
	if err != nil || out[outFenced] != "false" || !strings.Contains(out[outWhy], "exit status 3: refused by") {
		t.Fatalf("fence: %v, %v, %q", out, err, msg)
	}
	_, _, err = e.promote(context.Background(), nil, promoteStep("bravo"), planner.ServicePlan{})
	if !errors.Is(err, ErrNotPromoted) || !strings.Contains(err.Error(), "refused by") || strings.Contains(err.Error(), "second line") {
		t.Fatalf("promote: %v", err)
	}
	for _, s := range []string{msg, out[outWhy], err.Error()} {
		if strings.Contains(s, "tok-secret-7781") {
			t.Errorf("the command's secret env value shows: %q", s)
		}
	}

	e = dataExecutor(t, &config.Data{Name: "db", Fence: hang, Promote: hang}, dir)
	st := fenceStep("alpha")
	st.TimeoutSeconds = 1
	start := time.Now()
	out, _, err = e.fence(context.Background(), st)
	if err != nil || out[outFenced] != "false" || !strings.Contains(out[outWhy], "no exit within") {
		t.Fatalf("hanging fence: %v, %v", out, err)
	}
	pst := promoteStep("bravo")
	pst.TimeoutSeconds = 1
	if _, _, err = e.promote(context.Background(), nil, pst, planner.ServicePlan{}); !errors.Is(err, ErrNotPromoted) {
		t.Fatalf("hanging promote: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("two commands bounded at 1 s took %s", took)
	}
}

// A disabled fence or promote is done and does nothing.
func TestDataActionsDisabled(t *testing.T) {
	off := &config.DataAction{Disabled: true}
	// A DSN nothing listens on: the defaults would fail.
	e := dataExecutor(t, &config.Data{Name: "db", Postgres: &config.PostgresData{DSN: map[string]string{"alpha": "postgres://127.0.0.1:1/x"}},
		Fence: off, Promote: off}, "")
	if out, _, err := e.fence(context.Background(), fenceStep("alpha")); err != nil || out[outFenced] != "false" || out[outWhy] != "disabled" {
		t.Fatalf("fence: %v %v", out, err)
	}
	if out, _, err := e.promote(context.Background(), nil, promoteStep("alpha"), planner.ServicePlan{}); err != nil || out[outPromoted] != "disabled" {
		t.Fatalf("promote: %v %v", out, err)
	}
}

// promote with terraform_var applies the target's workspace again with
// its usual vars (secret ones filled in) and the variable set to "true".
func TestPromoteByTerraformVar(t *testing.T) {
	w := newWorld(t)
	env := w.env(nil)
	d := &config.Data{Name: "db", Postgres: &config.PostgresData{}, Promote: &config.DataAction{TerraformVar: "promote_db"}}
	env.Data = func(string, string) (*config.Data, error) { return d, nil }
	env.SecretVar = func(_ planner.Step, name string) (string, error) { return "real-" + name, nil }
	e, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := w.journal.Begin(ctx, journal.Operation{Kind: "manual", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	apply := planner.Step{ID: "www/bravo/apply", Kind: planner.StepApply, Service: testService, Provider: "bravo",
		Workspace: &planner.Workspace{Dir: "infra/bravo", Name: "default"},
		Vars:      map[string]string{"size": "small", "token": planner.SecretValue}, SecretVars: []string{"token"}}
	sp := planner.ServicePlan{Service: testService, Steps: []planner.Step{apply}}
	out, msg, err := e.promote(ctx, &op, promoteStep("bravo"), sp)
	if err != nil || out[outPromoted] != "true" {
		t.Fatalf("promote: %v, %v, %q", out, err, msg)
	}
	w.mu.Lock()
	vars := w.applyVars
	w.mu.Unlock()
	if len(vars) != 1 || vars[0]["promote_db"] != "true" || vars[0]["size"] != "small" || vars[0]["token"] != "real-token" {
		t.Fatalf("applies with vars %v, want one with promote_db=true and the usual vars", vars)
	}
	if apply.Vars["promote_db"] != "" {
		t.Fatal("the plan's apply vars were changed")
	}
	// Without a workspace toward the target there is nothing to apply.
	if _, _, err := e.promote(ctx, &op, promoteStep("bravo"), planner.ServicePlan{}); !errors.Is(err, ErrNotPromoted) {
		t.Fatalf("promote without a workspace: %v", err)
	}
}
