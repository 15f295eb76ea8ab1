package audit_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

// TestAuditStaysPure reads the package's own source: the audit may not
// import anything that does I/O (beyond writing to the io.Writer it is
// given), reads the clock, draws random numbers or logs. A new import
// must be added here on purpose.
func TestAuditStaysPure(t *testing.T) {
	allowed := map[string]bool{
		"bufio": true, "cmp": true, "encoding/json": true, "errors": true, "fmt": true, "io": true,
		"net/netip": true, "slices": true, "strings": true, "time": true,
		"github.com/lifeboat-dev/lifeboat/internal/config": true,
		"github.com/lifeboat-dev/lifeboat/planner":         true,
	}
	// time is allowed for durations and the Now the facts carry.
	forbidden := map[string]bool{"time.Now": true, "time.Since": true, "time.Until": true,
		"time.Sleep": true, "time.After": true, "time.NewTimer": true, "time.Tick": true, "time.NewTicker": true,
		"time.Local": true}
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
				t.Errorf("%s imports %s; the audit must stay pure", name, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && forbidden[id.Name+"."+sel.Sel.Name] {
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

// TestAuditIsDeterministic: the same input twice gives the same report,
// byte for byte, and the input is left as it was. Map iteration order
// differs between runs, so a check that leaked it would show here.
func TestAuditIsDeterministic(t *testing.T) {
	cfg := parse(t, goldenSource(t))
	facts := goldenFacts()
	before := goldenFacts()
	var first []byte
	for i := range 20 {
		r := audit.Audit(cfg, facts)
		var b bytes.Buffer
		if err := audit.WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Bytes()
			if len(r.Findings) < 5 {
				t.Fatalf("the input should show several findings, got %v", ids(r))
			}
			continue
		}
		if !bytes.Equal(b.Bytes(), first) {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, b.Bytes(), first)
		}
	}
	if !reflect.DeepEqual(facts, before) {
		t.Error("Audit changed the facts it was given")
	}
}
