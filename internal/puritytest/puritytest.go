// Package puritytest checks, from a package's own source, that it stays
// a pure function: only the imports it was allowed, and no call that
// reads the clock or waits. The planner and the audit use it.
package puritytest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Calls that read the clock or wait; time stays allowed for durations
// (and for a Now the caller passes in).
var clockCalls = map[string]bool{"time.Now": true, "time.Since": true, "time.Until": true,
	"time.Sleep": true, "time.After": true, "time.NewTimer": true, "time.Tick": true, "time.NewTicker": true,
	"time.Local": true}

// Check parses the non-test Go files in the current directory and fails t
// for each import not in allowed and each clock call. what names the
// package in the messages ("the planner").
func Check(t *testing.T, what string, allowed map[string]bool) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %s; %s must stay pure", name, path, what)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && clockCalls[id.Name+"."+sel.Sel.Name] {
					t.Errorf("%s: %s uses %s.%s", name, fset.Position(sel.Pos()), id.Name, sel.Sel.Name)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}
}
