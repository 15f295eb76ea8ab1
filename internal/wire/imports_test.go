package wire

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/puritytest"
)

// A reader of a document must not pull in the engine, the journal's
// storage, Terraform or DNS: the package imports the standard library and
// the planner only.
func TestWireImportsOnlyTheStandardLibraryAndThePlanner(t *testing.T) {
	for name, paths := range puritytest.Imports(t, 3) {
		for _, path := range paths {
			if !stdlib(path) && path != "github.com/lifeboat-dev/lifeboat/planner" {
				t.Errorf("%s imports %s: a document's package takes plain fields or the planner's types only", name, path)
			}
		}
	}
}

// stdlib reports whether an import path is the standard library's: its
// first element has no dot.
func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
