package wire

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// A reader of a document must not pull in the engine, the journal's
// storage, Terraform or DNS: the package imports the standard library and
// the planner only.
func TestWireImportsOnlyTheStandardLibraryAndThePlanner(t *testing.T) {
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
			if !stdlib(path) && path != "github.com/lifeboat-dev/lifeboat/planner" {
				t.Errorf("%s imports %s: a document's package takes plain fields or the planner's types only", name, path)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("only %d source files found: the test is not looking at the package", checked)
	}
}

// stdlib reports whether an import path is the standard library's: its
// first element has no dot.
func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
