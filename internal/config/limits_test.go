package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// parseErr parses src and returns its single diagnostic.
func parseErr(t *testing.T, src string) config.Diagnostic {
	t.Helper()
	_, err := config.Parse("deep.hcl", []byte(src), testOptions())
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	if len(ce.Diags) != 1 {
		t.Fatalf("want one diagnostic, got %d:\n%.2000s", len(ce.Diags), err)
	}
	return ce.Diags[0]
}

// Inputs the HCL parser would recurse on until the stack overflows (which
// kills the process, it is not a panic): each must be refused before
// parsing, at the first construct past the limit.
func TestNestingLimit(t *testing.T) {
	const deep = "nested more than 64 levels deep"
	cases := []struct {
		name      string
		src       string
		line, col int
	}{
		// 200 KB of "(", the input that used to crash.
		{"parentheses", "a = " + strings.Repeat("(", 200<<10), 1, 4 + 65},
		{"brackets", "a = " + strings.Repeat("[", 200<<10), 1, 4 + 65},
		{"objects", "a = " + strings.Repeat("{", 200<<10), 1, 4 + 65},
		{"blocks", strings.Repeat("b {\n", 200<<10/4), 65, 3},
		{"mixed", "a = " + strings.Repeat("([{", 200<<10/3), 1, 4 + 65},
		{"interpolations", "a = " + strings.Repeat(`"${`, 200<<10/3), 1, 4 + 64*3 + 2},
		{"heredoc interpolations", "a = <<EOT\n" + strings.Repeat(`${"`, 200<<10/3), 2, 1 + 64*3},
		// Inside an interpolation "${" is "$" and an object's "{".
		{"interpolation braces", "a = <<EOT\n" + strings.Repeat("${", 200<<10/2), 2, 2 * 65},
		// The 64th open %{if} is the 64th level, its %{ the 65th.
		{"directives", `a = "` + strings.Repeat("%{if true}", 200<<10/10), 1, 6 + 63*10},
		{"not", "a = " + strings.Repeat("!", 1<<20-10) + "true", 1, 4 + 65},
		{"minus", "a = " + strings.Repeat("-", 1<<20-10) + "1", 1, 4 + 65},
		{"minus with spaces", "a = " + strings.Repeat("- ", 200<<10) + "1", 1, 4 + 64*2 + 1},
		{"unary inside brackets", "a = " + strings.Repeat("(", 60) + "!!!!!x", 1, 4 + 60 + 5},
		{"one past the limit", "a = " + strings.Repeat("(", 65) + "1" + strings.Repeat(")", 65), 1, 4 + 65},
		// A string that runs to the end of its line does not hide what follows.
		{"unterminated string", "a = \"abc\n" + strings.Repeat("(", 100), 2, 65},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := parseErr(t, tc.src)
			if d.Line != tc.line || d.Column != tc.col || !strings.Contains(d.Message, deep) || d.Filename != "deep.hcl" {
				t.Errorf("got %s, want deep.hcl:%d:%d: ...%s...", d, tc.line, tc.col, deep)
			}
			if !strings.Contains(d.Message, "at most 64 levels") {
				t.Errorf("the message should state the limit: %s", d.Message)
			}
		})
	}
}

// What the limit does not count: the text of strings, heredocs and
// comments, and nesting up to the limit itself.
func TestNestingLimitSkipsText(t *testing.T) {
	many := strings.Repeat("(", 1000)
	cases := map[string]string{
		"string":                 "state {\n  path = \"" + many + "\"\n}\n",
		"escaped quote":          "state {\n  path = \"\\\"" + many + "\"\n}\n",
		"literal ${":             "state {\n  path = \"" + strings.Repeat("$${", 1000) + "\"\n}\n",
		"heredoc":                "state {\n  path = <<EOT\n" + many + "\n  EOT\n}\n",
		"indent heredoc":         "state {\n  path = <<-EOT\n    " + many + "\n    EOT\n}\n",
		"comments":               "# " + many + "\n// " + many + "\n/* " + many + "\n" + many + " */\nstate {\n}\n",
		"hyphenated identifiers": "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  vars = { a" + strings.Repeat("-", 100) + "b = \"x\" }\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\nprovider \"a\" {\n}\n",
		"64 levels":              "state {\n  path = " + strings.Repeat("(", 63) + "\"x\"" + strings.Repeat(")", 63) + "\n}\n",
		"64 templates":           "state {\n  path = " + strings.Repeat(`"${`, 63) + `"x"` + strings.Repeat(`}"`, 63) + "\n}\n",
		"sequential directives":  "state {\n  path = \"" + strings.Repeat("%{if true}x%{endif}", 200) + "\"\n}\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := config.Parse("ok.hcl", []byte(src), testOptions()); err != nil {
				t.Fatalf("%.2000s", err)
			}
		})
	}
}

func TestFileSizeLimit(t *testing.T) {
	// Valid HCL, exactly 1 MiB, then one byte over.
	exact := "#" + strings.Repeat("x", 1<<20-2) + "\n"
	if _, err := config.Parse("ok.hcl", []byte(exact), testOptions()); err != nil {
		t.Errorf("exactly 1 MiB: %.500s", err)
	}
	src := exact + "\n"
	d := parseErr(t, src)
	if d.Line != 1 || d.Column != 1 || !strings.Contains(d.Message, "larger than 1 MiB") {
		t.Errorf("got %s", d)
	}

	// Load reads no more than the limit and reports it the same way.
	path := filepath.Join(t.TempDir(), "big.hcl")
	if err := os.WriteFile(path, []byte(src+strings.Repeat("#\n", 1<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(path, testOptions())
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Diags) != 1 || !strings.Contains(ce.Diags[0].String(), "big.hcl:1:1: the configuration file is larger than 1 MiB") {
		t.Errorf("Load: %v", err)
	}
}
