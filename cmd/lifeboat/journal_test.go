package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A damaged journal is an operation failure (exit 1) that names the file
// and says what to do, for every command that reads it; the file is left
// as it was.
func TestDamagedJournal(t *testing.T) {
	cfg := writeStatusConfig(t, []string{"127.0.0.1:1"})
	db := filepath.Join(filepath.Dir(cfg), "lifeboat.db")
	for name, content := range map[string][]byte{"empty": {}, "garbage": []byte(strings.Repeat("not a journal ", 600))} {
		if err := os.WriteFile(db, content, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"history"}, {"failover", "--yes"}, {"resume"}, {"abort"}, {"status"}} {
			code, out, errOut := runCLI(t, append(args, "-c", cfg)...)
			if code != 1 || !strings.Contains(errOut, db) || !strings.Contains(errOut, "journal is damaged") || !strings.Contains(errOut, "restore it from a backup") {
				t.Fatalf("%s journal, %v: exit %d\nstdout %s\nstderr %s", name, args, code, out, errOut)
			}
		}
		after, _ := os.ReadFile(db)
		if string(after) != string(content) {
			t.Fatalf("%s journal was changed", name)
		}
	}
}

// history never creates a journal.
func TestHistoryWithoutJournal(t *testing.T) {
	cfg := writeStatusConfig(t, []string{"127.0.0.1:1"})
	code, out, errOut := runCLI(t, "history", "-c", cfg)
	if code != 0 || !strings.Contains(out, "No operations yet") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "lifeboat.db")); !os.IsNotExist(err) {
		t.Fatalf("history created the journal: %v", err)
	}
}
