package testharness

import (
	"strings"
	"testing"
	"time"
)

// A primary and a streaming replica: the replica is in recovery, a row
// written at the primary arrives there, and a login needs the password.
func TestPostgresPrimaryAndReplica(t *testing.T) {
	p := StartPostgres(t)
	p.SQL(t, "CREATE TABLE harness (v text)")
	r := p.StartReplica(t)

	if got := p.SQL(t, "SELECT pg_is_in_recovery()"); got != "f" {
		t.Fatalf("primary pg_is_in_recovery() = %q, want f", got)
	}
	if got := r.SQL(t, "SELECT pg_is_in_recovery()"); got != "t" {
		t.Fatalf("replica pg_is_in_recovery() = %q, want t", got)
	}
	p.SQL(t, "INSERT INTO harness VALUES ('streamed')")
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := r.SQL(t, "SELECT v FROM harness")
		if got == "streamed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not receive the primary's row within 20s (got %q)", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.Port == p.Port || r.Password != p.Password || len(p.Password) < 16 {
		t.Errorf("replica port %d (primary %d), password shared %v, length %d",
			r.Port, p.Port, r.Password == p.Password, len(p.Password))
	}
	hba := p.SQL(t, "SELECT string_agg(auth_method, ',') FROM pg_hba_file_rules WHERE 'all' = ANY(database) AND type = 'host'")
	if !strings.Contains(hba, "scram-sha-256") || strings.Contains(hba, "trust") {
		t.Errorf("TCP logins use %q, want scram-sha-256 only", hba)
	}

	r.Stop(t)
	r.Stop(t) // a second Stop does nothing
}
