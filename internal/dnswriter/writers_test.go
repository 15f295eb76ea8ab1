package dnswriter

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// writeCalls are the libdns calls that change a zone.
var writeCalls = map[string]bool{"SetRecords": true, "AppendRecords": true, "DeleteRecords": true}

// writers lists, as "path:line: X.Call", every reference to a zone-changing
// libdns call in the non-test Go files under root, outside this package
// (root/internal/dnswriter). The providers package may mention one only
// to forward it: inside a method of the same name, as its guards do.
// Method values count as calls: f := p.SetRecords writes as surely.
func writers(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "vendor") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
				return filepath.SkipDir // another module (the tools)
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || filepath.Dir(rel) == "internal/dnswriter" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inProviders := filepath.Dir(rel) == "providers"
		for _, decl := range f.Decls {
			forwarding := ""
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && inProviders {
				forwarding = fd.Name.Name
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || !writeCalls[sel.Sel.Name] || sel.Sel.Name == forwarding {
					return true
				}
				out = append(out, rel+":"+strconv.Itoa(fset.Position(sel.Pos()).Line)+": "+exprText(sel.X)+"."+sel.Sel.Name)
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func exprText(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprText(x.X) + "." + x.Sel.Name
	case *ast.CallExpr:
		return exprText(x.Fun) + "()"
	}
	return "…"
}

// moduleRoot is the directory of the module's go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("go.mod not found above the package")
	return ""
}

// Only this package changes records at a DNS provider: a package that
// called SetRecords, AppendRecords or DeleteRecords itself would write
// without the ownership rule, the fencing check and the read-back.
func TestOnlyTheWriterWritesDNS(t *testing.T) {
	root := moduleRoot(t)
	if got := writers(t, root); len(got) > 0 {
		t.Errorf("zone-changing calls outside internal/dnswriter; write through a dnswriter.Writer instead:\n%s", strings.Join(got, "\n"))
	}
	// The scan must see the module, not an empty directory.
	if _, err := os.Stat(filepath.Join(root, "internal", "engine", "ttl.go")); err != nil {
		t.Fatalf("the module root %s does not look like lifeboat's: %v", root, err)
	}
}

// The scan finds a write outside the writer however it is spelled (a
// call, a method value, through a struct field, in the providers package
// other than by forwarding), and lets the writer and forwarding pass.
func TestWriterScanFindsWrites(t *testing.T) {
	got := writers(t, filepath.Join("testdata", "scan"))
	want := []string{
		"internal/engine/bad.go:12: p.SetRecords",
		"internal/engine/bad.go:13: p.DeleteRecords",
		"internal/engine/bad.go:14: t.Provider.AppendRecords",
		"providers/wrap.go:21: w.p.DeleteRecords",
	}
	if !slices.Equal(got, want) {
		t.Errorf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
