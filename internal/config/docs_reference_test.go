package config

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The configuration reference (docs/configuration.md) is where a user
// learns the language, so it must name every attribute and block the
// decoder accepts, and every default as defaults.go sets it.
const referencePath = "../../docs/configuration.md"

// sharedSections names the section of a block type that appears at several
// places in the language: a check block in provider, service and
// policy.reference is documented once.
var sharedSections = map[reflect.Type]string{
	reflect.TypeFor[rawCheck](): "## checks",
}

// docSection is one heading of the reference: its own text (up to the next
// heading of any level) and the headings nested in it.
type docSection struct {
	heading string
	own     string
	inner   []docSection
}

// parseSections splits a Markdown document at its headings (outside code
// fences) into a tree.
func parseSections(doc string) docSection {
	var flat []docSection
	var root strings.Builder
	text := &root
	var texts []*strings.Builder
	fence := false
	for l := range strings.SplitSeq(doc, "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if fence || headingLevel(l) == 0 {
			text.WriteString(l + "\n")
			continue
		}
		flat = append(flat, docSection{heading: l})
		texts = append(texts, &strings.Builder{})
		text = texts[len(texts)-1]
	}
	for i := range flat {
		flat[i].own = texts[i].String()
	}
	// Nest each heading under the last one of a lower level.
	var build func(from, level int) ([]docSection, int)
	build = func(from, level int) ([]docSection, int) {
		var out []docSection
		i := from
		for i < len(flat) && headingLevel(flat[i].heading) > level {
			s := flat[i]
			s.inner, i = build(i+1, headingLevel(s.heading))
			out = append(out, s)
		}
		return out, i
	}
	inner, _ := build(0, 0)
	return docSection{own: root.String(), inner: inner}
}

// headingLevel is the number of leading '#' of a Markdown heading line, or
// 0 for any other line.
func headingLevel(l string) int {
	n := strings.IndexFunc(l, func(r rune) bool { return r != '#' })
	if n <= 0 || !strings.HasPrefix(l[n:], " ") {
		return 0
	}
	return n
}

// find returns the section under s (at any depth) whose heading is h.
func (s docSection) find(h string) (docSection, bool) {
	for _, in := range s.inner {
		if in.heading == h {
			return in, true
		}
		if f, ok := in.find(h); ok {
			return f, true
		}
	}
	return docSection{}, false
}

// child returns the section directly or indirectly under s whose heading
// text is the block's dotted path or its name.
func (s docSection) child(path []string) (docSection, bool) {
	for _, in := range s.inner {
		text := strings.TrimSpace(strings.TrimLeft(in.heading, "#"))
		if text == strings.Join(path, ".") || text == path[len(path)-1] {
			return in, true
		}
	}
	for _, in := range s.inner {
		if f, ok := in.child(path); ok {
			return f, true
		}
	}
	return docSection{}, false
}

// row returns the table row of text whose first cell names attr in
// backticks, or "".
func row(text, attr string) string {
	for l := range strings.SplitSeq(text, "\n") {
		if !strings.HasPrefix(l, "| ") {
			continue
		}
		cells := strings.SplitN(l, " | ", 2)
		if strings.Contains(cells[0], "`"+attr+"`") {
			return l
		}
	}
	return ""
}

// docAttr is one attribute of the language and the text documenting its
// block.
type docAttr struct {
	path string // dotted, such as state.etcd.lease
	text string // the section holding the attribute's row
}

// undocumented walks the decode structs from rawFile and returns what the
// reference lacks (a block without a section or mention, an attribute
// without a row), and every attribute with the text of its section.
func undocumented(doc string) (missing []string, attrs []docAttr) {
	root := parseSections(doc)
	topLevel, _ := root.find("## Top-level blocks")
	var walk func(t reflect.Type, path []string, sec docSection)
	walk = func(t reflect.Type, path []string, sec docSection) {
		for f := range t.Fields() {
			tag := f.Tag.Get("hcl")
			name, kind, _ := strings.Cut(tag, ",")
			switch kind {
			case "block":
				et := f.Type
				for et.Kind() == reflect.Slice || et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				p := append(slices.Clone(path), name)
				if len(path) == 0 && !strings.Contains(topLevel.own, "\n| [`"+name) {
					missing = append(missing, name+" (the top-level blocks' table)")
				}
				var bsec docSection
				var ok bool
				if h, shared := sharedSections[et]; shared {
					bsec, ok = root.find(h)
				} else {
					bsec, ok = sec.child(p)
				}
				if !ok {
					// A block without a heading of its own is described in
					// its parent's text, and its attributes there.
					if !strings.Contains(sec.own, "`"+name+"`") && !strings.Contains(sec.own, "`"+name+" ") {
						missing = append(missing, strings.Join(p, ".")+" (block)")
						continue
					}
					bsec = sec
				}
				walk(et, p, bsec)
			case "optional", "attr":
				p := strings.Join(append(slices.Clone(path), name), ".")
				if row(sec.own, name) == "" {
					missing = append(missing, p)
				}
				attrs = append(attrs, docAttr{path: p, text: sec.own})
			}
		}
	}
	walk(reflect.TypeFor[rawFile](), nil, root)
	return missing, attrs
}

func TestReferenceListsEveryAttribute(t *testing.T) {
	doc, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	missing, attrs := undocumented(string(doc))
	if len(missing) > 0 {
		t.Errorf("docs/configuration.md does not document %v: each attribute needs a row, in its block's section, whose first cell names it", missing)
	}
	// The walk must reach the nested blocks, or the check proves little.
	var paths []string
	for _, a := range attrs {
		paths = append(paths, a.path)
	}
	for _, want := range []string{"state.etcd.lease", "service.check.http.max_redirects", "policy.reference.dns.server", "server.idle_timeout", "provider.terraform.pass_env"} {
		if !slices.Contains(paths, want) {
			t.Fatalf("the walk does not reach %s: %v", want, paths)
		}
	}
	// The check catches an attribute whose row is removed.
	cut := strings.Replace(string(doc), "| `idle_timeout` |", "| idle timeout |", 1)
	if m, _ := undocumented(cut); !slices.Equal(m, []string{"server.idle_timeout"}) {
		t.Errorf("with server.idle_timeout's row removed, missing = %v", m)
	}
}

// defaultValues holds every Default* constant of defaults.go by name;
// TestReferenceShowsEveryDefault fails when one is left out here.
var defaultValues = map[string]any{
	"DefaultStatePath":               DefaultStatePath,
	"DefaultEtcdPrefix":              DefaultEtcdPrefix,
	"DefaultDrillMaxAge":             DefaultDrillMaxAge,
	"DefaultEtcdLease":               DefaultEtcdLease,
	"DefaultEtcdMaxRecords":          DefaultEtcdMaxRecords,
	"DefaultTerraformTimeout":        DefaultTerraformTimeout,
	"DefaultTerraformLockTimeout":    DefaultTerraformLockTimeout,
	"DefaultWorkspace":               DefaultWorkspace,
	"DefaultInterval":                DefaultInterval,
	"DefaultTimeout":                 DefaultTimeout,
	"DefaultFailAfter":               DefaultFailAfter,
	"DefaultRecoverAfter":            DefaultRecoverAfter,
	"DefaultQuorum":                  DefaultQuorum,
	"DefaultCooldown":                DefaultCooldown,
	"DefaultMaxAuto":                 DefaultMaxAuto,
	"DefaultAutoWindow":              DefaultAutoWindow,
	"DefaultConcurrency":             DefaultConcurrency,
	"DefaultWaitHealthy":             DefaultWaitHealthy,
	"DefaultVerifyDNS":               DefaultVerifyDNS,
	"DefaultEmergencyTTL":            DefaultEmergencyTTL,
	"DefaultRecoveryWindow":          DefaultRecoveryWindow,
	"DefaultTTL":                     DefaultTTL,
	"DefaultAddressOutput":           DefaultAddressOutput,
	"DefaultDrillMode":               string(DefaultDrillMode),
	"DefaultListen":                  DefaultListen,
	"DefaultMaxConnections":          DefaultMaxConnections,
	"DefaultMaxConnectionsPerClient": DefaultMaxConnectionsPerClient,
	"DefaultServerIdleTimeout":       DefaultServerIdleTimeout,
	"DefaultNotifyTimeout":           DefaultNotifyTimeout,
	"DefaultNotifyRetries":           DefaultNotifyRetries,
	"DefaultHTTPMethod":              DefaultHTTPMethod,
	"DefaultHTTPPath":                DefaultHTTPPath,
	"DefaultHTTPScheme":              DefaultHTTPScheme,
	"DefaultCertExpiryWarning":       DefaultCertExpiryWarning,
	"DefaultFollowRedirects":         DefaultFollowRedirects,
	"DefaultMaxRedirects":            DefaultMaxRedirects,
	"DefaultDNSCheckType":            DefaultDNSCheckType,
	"DefaultAPIHeader":               DefaultAPIHeader,
	"DefaultLostPattern":             DefaultLostPattern,
	"DefaultBackupMaxAge":            DefaultBackupMaxAge,
	"DefaultS3Region":                DefaultS3Region,
	"DefaultRestoreTimeout":          DefaultRestoreTimeout,
	"DefaultDataInterval":            DefaultDataInterval,
}

// renderings returns the ways the reference may write a default in its
// table: in backticks, a string quoted as in HCL (or bare, with "|"
// escaped, for a regular expression whose backslashes quoting would
// double), a duration as Go writes it without trailing zero units ("30m",
// not "30m0s").
func renderings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{"`\"" + v + "\"`", "`" + strings.ReplaceAll(v, "|", `\|`) + "`"}
	case time.Duration:
		s := v.String()
		for _, z := range []string{"0s", "0m"} {
			if strings.HasSuffix(s, z) && len(s) > len(z) && strings.ContainsAny(s[:len(s)-len(z)], "hm") {
				s = strings.TrimSuffix(s, z)
			}
		}
		return []string{"`\"" + s + "\"`"}
	default:
		return []string{fmt.Sprintf("`%v`", v)}
	}
}

// defaultPaths reads defaults.go and returns, for each exported Default*
// constant, the attributes its comment names ("DefaultX is a.b" or "is
// a.b and c.d").
func defaultPaths(t *testing.T) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "defaults.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	pathRe := regexp.MustCompile(`^Default\w+ is ([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?: and [a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+)*)`)
	out := map[string][]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for _, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Default") {
					continue
				}
				m := pathRe.FindStringSubmatch(strings.TrimSpace(vs.Doc.Text()))
				if m == nil {
					t.Errorf("defaults.go: %s's comment must start %q", n.Name, n.Name+" is block.attribute")
					continue
				}
				out[n.Name] = strings.Split(m[1], " and ")
			}
		}
	}
	return out
}

// wrongDefaults returns the defaults whose attribute's row does not show
// the value.
func wrongDefaults(attrs []docAttr, paths map[string][]string, values map[string]any) []string {
	var wrong []string
	for name, ps := range paths {
		for _, p := range ps {
			// A path is the attribute's full path, or names it from a nearer
			// block: http.method is the method of every http check, wherever
			// the check is.
			parts := strings.Split(p, ".")
			var rows []string
			for _, a := range attrs {
				if a.path == p {
					rows = []string{row(a.text, parts[len(parts)-1])}
					break
				}
				if strings.HasSuffix(a.path, "."+p) {
					rows = append(rows, row(a.text, parts[len(parts)-1]))
				}
			}
			ok := len(rows) > 0
			for _, r := range rows {
				if !slices.ContainsFunc(renderings(values[name]), func(s string) bool { return strings.Contains(r, s) }) {
					ok = false
				}
			}
			if !ok {
				wrong = append(wrong, fmt.Sprintf("%s (%s = %v)", p, name, values[name]))
			}
		}
	}
	slices.Sort(wrong)
	return wrong
}

func TestReferenceShowsEveryDefault(t *testing.T) {
	doc, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	paths := defaultPaths(t)
	for name := range paths {
		if _, ok := defaultValues[name]; !ok {
			t.Errorf("%s is not in defaultValues: add it, so its documented value is checked", name)
		}
	}
	if len(paths) < len(defaultValues) {
		t.Fatalf("defaults.go names %d defaults, defaultValues %d", len(paths), len(defaultValues))
	}
	_, attrs := undocumented(string(doc))
	if w := wrongDefaults(attrs, paths, defaultValues); len(w) > 0 {
		t.Errorf("docs/configuration.md does not show these defaults in their attribute's row: %v", w)
	}
	// The check catches a default documented wrongly.
	cut := strings.Replace(string(doc), "| `lease` | duration | `\"3s\"` |", "| `lease` | duration | `\"5s\"` |", 1)
	_, cutAttrs := undocumented(cut)
	if w := wrongDefaults(cutAttrs, paths, defaultValues); !slices.Equal(w, []string{"state.etcd.lease (DefaultEtcdLease = 3s)"}) {
		t.Errorf("with state.etcd.lease documented as 5s, wrong = %v", w)
	}
}
