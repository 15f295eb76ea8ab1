package testharness

import (
	"fmt"
	"strconv"
	"strings"
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
