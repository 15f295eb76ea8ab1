package main

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The CLI holds flags, prompts and rendering only: operations go through
// the engine, so the daemon, drills and the API run the same code. Its
// non-test files must not reach past the engine into the executor or the
// journal.
func TestCLIImportsOnlyTheEngine(t *testing.T) {
	forbidden := []string{
		"github.com/lifeboat-dev/lifeboat/internal/executor",
		"github.com/lifeboat-dev/lifeboat/internal/journal",
		"github.com/lifeboat-dev/lifeboat/terraform",
		"github.com/lifeboat-dev/lifeboat/internal/dnscutover",
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(path, bad) {
					t.Errorf("%s imports %s: go through internal/engine instead", name, path)
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d source files found: the test is not looking at the CLI", checked)
	}
}
