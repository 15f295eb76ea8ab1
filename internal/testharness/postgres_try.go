package testharness

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TrySQL is SQL that returns the failure instead of failing the test:
// for statements that are meant to be refused (a write to a fenced
// primary).
func (p *Postgres) TrySQL(query string) (string, error) {
	out, err := p.command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", p.work.dir, "-p", strconv.Itoa(p.Port), "-U", p.User, "-d", "postgres", "-c", query).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// Dump is `pg_dump -Fc` of database db: a custom-format archive, what
// a backup job would put in a bucket.
func (p *Postgres) Dump(t testing.TB, db string) []byte {
	t.Helper()
	out, err := p.command("pg_dump", "-Fc", "-h", p.work.dir, "-p", strconv.Itoa(p.Port), "-U", p.User, "-d", db).Output()
	if err != nil {
		t.Fatalf("testharness: pg_dump %s on port %d: %v", db, p.Port, err)
	}
	return out
}
