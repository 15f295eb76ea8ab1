// Package docs_test checks that the documentation matches the code: every
// package of the module has a row in architecture.md, every DNS provider
// type is in the configuration reference with its settings, the README's
// first real setup is a valid configuration, and every relative link and
// anchor in the README and docs/ resolves.
package docs_test

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// moduleRoot is the directory above docs/, where go.mod is.
const moduleRoot = ".."

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// packages lists the module's packages as `go list ./...` does: every
// directory holding a .go file, skipping testdata and directories whose
// name starts with "." or "_", as paths relative to the module root.
func packages(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != moduleRoot && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".go") {
			rel, err := filepath.Rel(moduleRoot, filepath.Dir(path))
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if rel != "." && !slices.Contains(out, rel) {
				out = append(out, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// missingPackages returns the packages that have no row in an
// architecture document: a table row whose first cell is the package's
// path in backticks.
func missingPackages(doc string, pkgs []string) []string {
	var missing []string
	for _, p := range pkgs {
		if !strings.Contains(doc, "\n| `"+p+"` |") {
			missing = append(missing, p)
		}
	}
	return missing
}

func TestArchitectureListsEveryPackage(t *testing.T) {
	pkgs := packages(t)
	// The walk must find what `go list ./...` finds, or the check below
	// proves nothing.
	for _, want := range []string{"cmd/lifeboat", "internal/dnswriter", "internal/journal/journaltest", "planner", "docs"} {
		if !slices.Contains(pkgs, want) {
			t.Fatalf("the walk of the module misses %s: %v", want, pkgs)
		}
	}
	doc := read(t, "architecture.md")
	if m := missingPackages(doc, pkgs); len(m) > 0 {
		t.Errorf("docs/architecture.md has no row for %v: add one saying what each owns", m)
	}
	if strings.Contains(doc, "etcd next") {
		t.Error(`docs/architecture.md still says "etcd next"`)
	}
	// The check catches a package whose row is removed.
	cut := strings.Replace(doc, "\n| `internal/backoff` |", "\n| internal/backoff |", 1)
	if m := missingPackages(cut, pkgs); !slices.Equal(m, []string{"internal/backoff"}) {
		t.Errorf("with internal/backoff's row removed, missing = %v", m)
	}
}

// section returns the text under the heading line h, up to the next
// heading of the same or a higher level.
func section(doc, h string) string {
	level := strings.IndexFunc(h, func(r rune) bool { return r != '#' })
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if l != h {
			continue
		}
		var out []string
		for _, l := range lines[i+1:] {
			if n := strings.IndexFunc(l, func(r rune) bool { return r != '#' }); n > 0 && n <= level && strings.HasPrefix(l[n:], " ") {
				break
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	return ""
}

// undocumentedDNSSettings returns, for each DNS provider type, what the dns
// section of the configuration reference lacks: the type's row, or a
// setting in it.
func undocumentedDNSSettings(doc string, types map[string][]string) []string {
	dns := section(doc, "## dns")
	var missing []string
	for typ, keys := range types {
		var row string
		for l := range strings.SplitSeq(dns, "\n") {
			if strings.HasPrefix(l, "| `"+typ+"` |") {
				row = l
			}
		}
		if row == "" {
			missing = append(missing, typ)
			continue
		}
		for _, k := range keys {
			if !strings.Contains(row, "`"+k+"`") {
				missing = append(missing, typ+"."+k)
			}
		}
	}
	slices.Sort(missing)
	return missing
}

func TestConfigurationListsEveryDNSProviderType(t *testing.T) {
	types := map[string][]string{}
	for _, typ := range providers.DNSTypes() {
		keys, _, err := providers.DNSSettingKeys(typ)
		if err != nil {
			t.Fatal(err)
		}
		types[typ] = keys
	}
	if len(types) == 0 || len(types["rfc2136"]) == 0 {
		t.Fatalf("the registry lists nothing: %v", types)
	}
	doc := read(t, "configuration.md")
	if m := undocumentedDNSSettings(doc, types); len(m) > 0 {
		t.Errorf("docs/configuration.md's dns section lacks %v: each type needs a row naming every setting", m)
	}
	// The check catches a type whose setting is left out.
	cut := strings.Replace(doc, "| `cloudflare` | `api_token` | `zone_token` |", "| `cloudflare` | `api_token` | none |", 1)
	if m := undocumentedDNSSettings(cut, types); !slices.Equal(m, []string{"cloudflare.zone_token"}) {
		t.Errorf("with cloudflare's zone_token left out, missing = %v", m)
	}
}

var (
	linkRe    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRe = regexp.MustCompile(`^(#+)\s+(.*)$`)
	slugDrop  = regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
)

// anchors returns the anchors GitHub gives a Markdown file's headings:
// lowercased, punctuation dropped, spaces as "-", repeats numbered.
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fence := false
	for l := range strings.SplitSeq(doc, "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
			continue
		}
		m := headingRe.FindStringSubmatch(l)
		if fence || m == nil {
			continue
		}
		s := strings.ReplaceAll(slugDrop.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[2])), ""), " ", "-")
		a := s
		if n := seen[s]; n > 0 {
			a = s + "-" + strconv.Itoa(n)
		}
		seen[s]++
		out[a] = true
	}
	return out
}

// brokenLinks returns the relative links of a Markdown file (at path, with
// content doc) whose file does not exist or whose anchor is not a heading
// of the file it points to.
func brokenLinks(t *testing.T, path, doc string) []string {
	t.Helper()
	var broken []string
	for _, m := range linkRe.FindAllStringSubmatch(doc, -1) {
		link := m[1]
		if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
			continue
		}
		file, anchor, _ := strings.Cut(link, "#")
		target := path
		if file != "" {
			target = filepath.Join(filepath.Dir(path), file)
		}
		b, err := os.ReadFile(target)
		if err != nil {
			broken = append(broken, link+" (no such file)")
			continue
		}
		if anchor != "" && !anchors(string(b))[anchor] {
			broken = append(broken, link+" (no such heading)")
		}
	}
	return broken
}

func TestLinksResolve(t *testing.T) {
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(moduleRoot, "README.md"))
	for _, f := range files {
		if b := brokenLinks(t, f, read(t, f)); len(b) > 0 {
			t.Errorf("%s: broken links %v", f, b)
		}
	}
	for _, want := range []string{"operator-guide.md", "configuration.md", "http-api.md", "architecture.md", "security.md", "benchmarks.md"} {
		if !strings.Contains(read(t, filepath.Join(moduleRoot, "README.md")), "](docs/"+want+")") {
			t.Errorf("the README does not link docs/%s", want)
		}
	}
	// The check catches an anchor that moved away.
	if b := brokenLinks(t, "configuration.md", "[x](operator-guide.md#no-such-section)"); len(b) != 1 {
		t.Errorf("a link to a missing heading is not reported: %v", b)
	}
}

// The README's first real setup is what a new user copies: it must load,
// with its DNS settings checked as lifeboat validate checks them.
func TestReadmeSetupIsValid(t *testing.T) {
	readme := read(t, filepath.Join(moduleRoot, "README.md"))
	_, rest, ok := strings.Cut(readme, "```hcl\n# lifeboat.hcl\n")
	if !ok {
		t.Fatal("the README has no ```hcl block starting with # lifeboat.hcl")
	}
	src, _, _ := strings.Cut(rest, "```")
	opts := config.Options{
		DNSSettings: providers.CheckDNSSettings,
		LookupEnv: func(name string) (string, bool) {
			return "token-" + strings.ToLower(name), true
		},
	}
	cfg, err := config.Parse("lifeboat.hcl", []byte(src), opts)
	if err != nil {
		t.Fatalf("the README's configuration is invalid:\n%v", err)
	}
	if len(cfg.DNS) != 1 || len(cfg.Providers) != 2 || len(cfg.Services) != 1 {
		t.Errorf("the first real setup should have one dns block, two providers and one service: %d, %d, %d",
			len(cfg.DNS), len(cfg.Providers), len(cfg.Services))
	}
}

// graphLine is the line of architecture.md's package graph for the package
// at rel: the module's packages it imports outside its tests, sorted.
func graphLine(t *testing.T, rel string) string {
	t.Helper()
	p, err := build.ImportDir(filepath.Join(moduleRoot, rel), 0)
	var noGo *build.NoGoError
	if errors.As(err, &noGo) || (err == nil && len(p.GoFiles) == 0) {
		return "" // only tests: nothing to draw
	}
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	const module = "github.com/lifeboat-dev/lifeboat/"
	var deps []string
	for _, imp := range p.Imports {
		if dep, ok := strings.CutPrefix(imp, module); ok {
			deps = append(deps, dep)
		}
	}
	if len(deps) == 0 {
		return "- `" + rel + "` → nothing of this module"
	}
	slices.Sort(deps)
	return "- `" + rel + "` → `" + strings.Join(deps, "`, `") + "`"
}

// The package graph in architecture.md is the one the code has: when an
// import is added or removed, the line says so.
func TestArchitectureGraphMatchesImports(t *testing.T) {
	doc := read(t, "architecture.md")
	graph := section(doc, "## Package graph")
	if graph == "" {
		t.Fatal(`docs/architecture.md has no "## Package graph" section`)
	}
	var want []string
	for _, rel := range packages(t) {
		line := graphLine(t, rel)
		if line == "" {
			continue
		}
		want = append(want, line)
		if !slices.Contains(strings.Split(graph, "\n"), line) {
			t.Errorf("docs/architecture.md's package graph lacks, or has another line for %s; it should read:\n%s", rel, line)
		}
	}
	for l := range strings.SplitSeq(graph, "\n") {
		if strings.HasPrefix(l, "- `") && !slices.Contains(want, l) {
			t.Errorf("docs/architecture.md's package graph has a line the code does not: %s", l)
		}
	}
	if !slices.Contains(want, graphLine(t, "internal/dnscutover")) || !strings.Contains(graphLine(t, "internal/dnscutover"), "`internal/dnswriter`") {
		t.Fatalf("the graph does not see dnscutover's import of dnswriter: %q", graphLine(t, "internal/dnscutover"))
	}
}
