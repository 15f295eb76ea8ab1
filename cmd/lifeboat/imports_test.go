package main

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/puritytest"
)

const module = "github.com/lifeboat-dev/lifeboat/"

// cliMayImport are the only packages of lifeboat's own the CLI may use:
// operations go through the engine, so the daemon, drills and the API run
// the same code; documents are the wire types; a running daemon is reached
// through its client. Anything else (the journal, the executor, the
// planner, Terraform, DNS) is the engine's to use.
var cliMayImport = map[string]bool{
	module + "internal/engine":  true,
	module + "internal/wire":    true,
	module + "internal/config":  true,
	module + "internal/control": true,
}

// cliFileMayImport are the exceptions, file by file: `lifeboat run` is the
// daemon process, so the file of that command builds the daemon.
var cliFileMayImport = map[string]map[string]bool{
	"daemon.go": {module + "internal/daemon": true},
}

// forbiddenImports returns the imports of one CLI source file that break
// the rule. The standard library and third-party modules are free.
func forbiddenImports(file string, imports []string) []string {
	var bad []string
	for _, path := range imports {
		if !strings.HasPrefix(path, module) || cliMayImport[path] || cliFileMayImport[file][path] {
			continue
		}
		bad = append(bad, path)
	}
	return bad
}

// The rule itself: a synthetic import list shows what it lets through and
// what it catches.
func TestForbiddenImports(t *testing.T) {
	tests := []struct {
		file    string
		imports []string
		want    []string
	}{
		{"status.go", []string{"fmt", "github.com/spf13/cobra", module + "internal/engine", module + "internal/wire", module + "internal/config", module + "internal/control"}, nil},
		{"history.go", []string{module + "internal/journal"}, []string{module + "internal/journal"}},
		{"plan.go", []string{"context", module + "planner", module + "internal/engine"}, []string{module + "planner"}},
		{"audit.go", []string{module + "internal/audit"}, []string{module + "internal/audit"}},
		{"failover.go", []string{module + "internal/executor", module + "terraform", module + "internal/dnscutover"}, []string{module + "internal/executor", module + "terraform", module + "internal/dnscutover"}},
		{"root.go", []string{module + "providers", module + "internal/registrar"}, []string{module + "providers", module + "internal/registrar"}},
		// A sub-package of an allowed one is another package.
		{"status.go", []string{module + "internal/engine/internal"}, []string{module + "internal/engine/internal"}},
		// Only the run command's file builds the daemon.
		{"daemon.go", []string{module + "internal/daemon"}, nil},
		{"status.go", []string{module + "internal/daemon"}, []string{module + "internal/daemon"}},
		{"daemon.go", []string{module + "health"}, []string{module + "health"}},
	}
	for _, tt := range tests {
		got := forbiddenImports(tt.file, tt.imports)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("forbiddenImports(%s, %v) = %v, want %v", tt.file, tt.imports, got, tt.want)
		}
	}
}

// The CLI holds flags, prompts and rendering only. Its non-test files
// import, of lifeboat's own packages, only the engine, the wire types, the
// configuration and the daemon's client.
func TestCLIImportsOnlyTheEngine(t *testing.T) {
	for name, imports := range puritytest.Imports(t, 5) {
		for _, path := range forbiddenImports(name, imports) {
			t.Errorf("%s imports %s: go through internal/engine, internal/wire or internal/control instead", name, path)
		}
	}
}
