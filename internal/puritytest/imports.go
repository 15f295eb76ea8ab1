package puritytest

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Imports reads the non-test Go files of the current directory and returns
// each one's import paths, by file name. It fails t when there are fewer
// than min files: a check over nothing would pass for the wrong reason.
func Imports(t *testing.T, min int) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			paths = append(paths, p)
		}
		out[name] = paths
	}
	if len(out) < min {
		t.Fatalf("only %d source files found: the test is not looking at the package", len(out))
	}
	return out
}
