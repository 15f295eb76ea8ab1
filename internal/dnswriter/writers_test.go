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
var writeCalls = map[string]bool{"SetRecords": true, "AppendRecords": true, "DeleteRecords": true, "SetProxied": true}

// writers lists, as "path:line: X.Call", every reference to a zone-changing
// libdns call in the non-test Go files under root, outside this package
// (root/internal/dnswriter). The providers package may mention one only
// inside one of its own write methods: to forward it, as its guards do, or
// to carry it out with the wrapped provider's writes (an RRset set as
// single-record changes). What to write is still the writer's to decide.
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
				if !ok || !writeCalls[sel.Sel.Name] || writeCalls[forwarding] {
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

// scanFixture is a small module tree with writes spelled every way the scan
// must catch (and two it must let pass). It is written out at test time so
// that no Go file in the repository holds such a write.
var scanFixture = map[string]string{
	"internal/dnswriter/w.go": `package dnswriter

func (w *Writer) do(ctx context.Context) {
	w.Provider.SetRecords(ctx, w.Zone, nil)
	w.Provider.DeleteRecords(ctx, w.Zone, nil)
}
`,
	"internal/engine/bad.go": `package engine

import "context"

type target struct{ Provider provider }

type provider interface {
	SetRecords(context.Context, string, []any) ([]any, error)
}

func write(ctx context.Context, p provider, t target) {
	p.SetRecords(ctx, "example.test.", nil)
	del := p.DeleteRecords
	t.Provider.AppendRecords(ctx, "example.test.", nil)
	_ = del
	p.GetRecords(ctx, "example.test.") // reading is fine
}
`,
	"internal/engine/bad_test.go": `package engine

// Tests may write to their own fakes.
func fake(p provider) { p.SetRecords(nil, "", nil) }
`,
	"providers/wrap.go": `package providers

import "context"

type wrapped struct{ p DNS }

// Forwarding: the wrapper's own SetRecords calls the wrapped one's.
func (w *wrapped) SetRecords(ctx context.Context, zone string, recs []any) ([]any, error) {
	return call(ctx, func(ctx context.Context) ([]any, error) {
		return w.p.SetRecords(ctx, zone, recs)
	})
}

func (w *wrapped) DeleteRecords(ctx context.Context, zone string, recs []any) ([]any, error) {
	return w.p.DeleteRecords(ctx, zone, recs)
}

// Carrying a write out with the wrapped provider's.
func (w *wrapped) AppendRecords(ctx context.Context, zone string, recs []any) ([]any, error) {
	w.p.SetRecords(ctx, zone, recs)
	return w.p.DeleteRecords(ctx, zone, nil)
}

// Not forwarding: a write of the providers package's own.

func (w *wrapped) cleanup(ctx context.Context) {
	w.p.DeleteRecords(ctx, "example.test.", nil)
}
`,
}

// The scan finds a write outside the writer however it is spelled (a
// call, a method value, through a struct field, in the providers package
// other than by forwarding), and lets the writer and forwarding pass.
func TestWriterScanFindsWrites(t *testing.T) {
	root := t.TempDir()
	for rel, src := range scanFixture {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := writers(t, root)
	want := []string{
		"internal/engine/bad.go:12: p.SetRecords",
		"internal/engine/bad.go:13: p.DeleteRecords",
		"internal/engine/bad.go:14: t.Provider.AppendRecords",
		"providers/wrap.go:27: w.p.DeleteRecords",
	}
	if !slices.Equal(got, want) {
		t.Errorf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
