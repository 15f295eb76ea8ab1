package drill

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestScratchConninfo(t *testing.T) {
	for _, c := range []struct{ dsn, want string }{
		{"postgres://app:s3cret@db.example:5433/shop?sslmode=require&password=other", "postgres://app@db.example:5433/lifeboat_restore_x?sslmode=require"},
		{"postgresql://db.example/shop?dbname=shop", "postgresql://db.example/lifeboat_restore_x"},
		{"host=db.example port=5433 user=app password=s3cret dbname=shop sslmode=require",
			"host='db.example' port='5433' user='app' sslmode='require' dbname='lifeboat_restore_x'"},
		{"host = db.example password='it\\'s' user='o\\'brien' application_name=a\\ b",
			"host='db.example' user='o\\'brien' application_name='a b' dbname='lifeboat_restore_x'"},
		{"", "dbname='lifeboat_restore_x'"},
	} {
		got, err := scratchConninfo(c.dsn, "lifeboat_restore_x")
		if err != nil || got != c.want {
			t.Errorf("scratchConninfo(%q) = %q, %v; want %q", c.dsn, got, err, c.want)
		}
	}
	for _, bad := range []string{"host", "password='s3cret", "=x"} {
		_, err := scratchConninfo(bad, "db")
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("scratchConninfo(%q): %v", bad, err)
		}
	}
}

func TestDataHookInReport(t *testing.T) {
	spec := Spec{Name: "r", Mode: ModeReadiness, Service: "www", Readiness: &ReadinessSpec{}}
	asked := 0
	env := Env{Recorder: &fakeRecorder{}, Redact: func(s string) string { return strings.ReplaceAll(s, "s3cret", "<hidden>") },
		Data: func(ctx context.Context) (string, time.Duration, bool, string) {
			asked++
			return "stale", 7 * time.Minute, true, "replica behind; dsn password s3cret"
		}}
	rep, err := Run(t.Context(), spec, env)
	if err != nil || asked != 1 {
		t.Fatalf("Run: %v, asked %d", err, asked)
	}
	if rep.DataState != "stale" || rep.DataAge != 7*time.Minute || !rep.DataAgeKnown || rep.DataNote != "replica behind; dsn password <hidden>" {
		t.Errorf("data fields: %q %s %v %q", rep.DataState, rep.DataAge, rep.DataAgeKnown, rep.DataNote)
	}
	var b strings.Builder
	_ = rep.WriteText(&b)
	if !strings.Contains(b.String(), "PASSED on stale data") || !strings.Contains(b.String(), "the drill passed on stale data") {
		t.Errorf("text:\n%s", b.String())
	}
	// Without the hook nothing is said about data.
	env.Data = nil
	rep, _ = Run(t.Context(), spec, env)
	b.Reset()
	_ = rep.WriteText(&b)
	if rep.DataState != "" || strings.Contains(b.String(), "Data at") {
		t.Errorf("no hook:\n%s", b.String())
	}
}
