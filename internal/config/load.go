package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Options adjusts loading.
type Options struct {
	// DNSSettings checks a dns block's type and settings (the CLI passes
	// the DNS registry's checker). It returns an error wrapping
	// ErrUnknownDNSType for an unknown type; other errors are reported at
	// the settings attribute. Its messages must not contain setting
	// values; the loader scrubs them anyway. nil accepts any type.
	DNSSettings func(typ string, settings map[string]string) error
	// RegistrarSettings checks a registrar block's type and settings, as
	// DNSSettings does a dns block's (ErrUnknownRegistrarType for an
	// unknown type). nil accepts any type.
	RegistrarSettings func(typ string, settings map[string]string) error
	// LookupEnv resolves env("NAME"); default os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// EnvPlaceholders makes env() of an unset variable return a
	// placeholder instead of failing (validate --no-env: check a
	// configuration in CI without its secrets). A problem reported at an
	// attribute that reads such a variable is left out, its real value
	// being unknown. The variables are listed in Config.UnsetEnv (or
	// Error.UnsetEnv).
	EnvPlaceholders bool
}

// Load reads and parses the configuration file at path. A file that cannot
// be read is a plain wrapped error; an invalid configuration (one over
// 1 MiB included) is an *Error.
func Load(path string, opts Options) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	// One byte more than the limit is enough for Parse to refuse it.
	src, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(path, src, opts)
}

// Parse parses and validates a configuration. filename is used in
// diagnostics, and its directory resolves file() arguments and the
// relative paths of Config.Path. Every problem found is reported, sorted
// by position, in an *Error. A file over 1 MiB, or nested more than 64
// levels deep, is refused before it reaches the HCL parser, whose
// recursion has no limit of its own.
func Parse(filename string, src []byte, opts Options) (*Config, error) {
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var unset []string
	if opts.EnvPlaceholders {
		real := lookup
		lookup = func(name string) (string, bool) {
			if v, ok := real(name); ok {
				return v, ok
			}
			if !slices.Contains(unset, name) {
				unset = append(unset, name)
			}
			// Long enough for any minimum length a secret has.
			return "lifeboat-placeholder-for-unset-" + name, true
		}
	}
	dir := filepath.Dir(filename)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c := &checker{filename: filename, opts: opts, attrRanges: map[hcl.Range]map[string]hcl.Range{}}

	if le := checkLimits(src); le != nil {
		line, col := position(src, le.off)
		c.diags = append(c.diags, Diagnostic{Filename: filename, Line: line, Column: col, Message: le.msg})
		return nil, c.err()
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		c.addHCL(diags)
		return nil, c.err()
	}
	if opts.EnvPlaceholders {
		c.unknownAttrs = unsetEnvAttrs(file.Body, lookup)
	}
	var raw rawFile
	ctx := evalContext(dir, lookup, c.addSecret)
	c.addHCL(gohcl.DecodeBody(file.Body, ctx, &raw))

	cfg := c.convert(&raw)
	cfg.Filename = filename
	cfg.Dir = dir
	cfg.attrRanges = c.attrRanges
	cfg.secrets = make(map[string]bool, len(c.secrets))
	for _, v := range c.secrets {
		cfg.secrets[v] = true
	}
	slices.Sort(unset)
	if len(c.diags) > 0 {
		err := c.err()
		err.UnsetEnv = unset
		return nil, err
	}
	applyDefaults(cfg)
	cfg.UnsetEnv = unset
	return cfg, nil
}

// checker collects diagnostics while converting raw blocks.
type checker struct {
	filename string
	opts     Options
	diags    []Diagnostic
	// hclErrs are the ranges of decoding errors: an attribute that failed
	// to decode is not validated again (one error per mistake).
	hclErrs []hcl.Range
	// secrets are values that must never appear in a message.
	secrets    []string
	attrRanges map[hcl.Range]map[string]hcl.Range
	// attrNames names every converted attribute for messages, so HCL's
	// own diagnostics can say which field they are about.
	attrNames []namedRange
	// fromHCL marks diagnostics produced by the HCL libraries, by index
	// in diags, with their positions.
	fromHCL map[int]hcl.Range
	// unknownAttrs are the attributes that read an unset variable
	// (Options.EnvPlaceholders): nothing is reported inside them.
	unknownAttrs []hcl.Range
}

type namedRange struct {
	r     hcl.Range
	where string
}

func (c *checker) addSecret(s string) {
	// Shorter strings are too common to scrub without mangling messages,
	// and too short to be secrets worth the name.
	if len(s) >= 4 {
		c.secrets = append(c.secrets, s)
	}
}

func (c *checker) addHCL(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		// An expression that failed to evaluate decodes to an unknown
		// value, and gohcl then reports that too: the first error is
		// the useful one.
		if d.Summary == "Unsuitable value type" && strings.Contains(d.Detail, "value must be known") {
			continue
		}
		r := hcl.Range{Filename: c.filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		if d.Subject != nil {
			r = *d.Subject
		}
		c.hclErrs = append(c.hclErrs, r)
		msg := d.Summary
		if detail := strings.TrimPrefix(d.Detail, "Unsuitable value: "); detail != "" {
			msg += ": " + detail
		}
		if c.fromHCL == nil {
			c.fromHCL = map[int]hcl.Range{}
		}
		c.fromHCL[len(c.diags)] = r
		c.add(r, msg)
	}
}

func (c *checker) add(r hcl.Range, msg string) {
	for _, u := range c.unknownAttrs {
		if r.Start.Byte >= u.Start.Byte && r.Start.Byte < u.End.Byte {
			return
		}
	}
	fn := r.Filename
	if fn == "" {
		fn = c.filename
	}
	line, col := r.Start.Line, r.Start.Column
	if line < 1 {
		line, col = 1, 1
	}
	c.diags = append(c.diags, Diagnostic{Filename: fn, Line: line, Column: col, Message: msg})
}

// failed reports whether a decoding error lies within r.
func (c *checker) failed(r hcl.Range) bool {
	for _, e := range c.hclErrs {
		if e.Filename == r.Filename && e.Start.Byte >= r.Start.Byte && e.Start.Byte < r.End.Byte {
			return true
		}
	}
	return false
}

// err returns the collected diagnostics, scrubbed, sorted and without
// repeats.
func (c *checker) err() *Error {
	for i, r := range c.fromHCL {
		for _, a := range c.attrNames {
			if a.r.Filename == r.Filename && r.Start.Byte >= a.r.Start.Byte && r.Start.Byte < a.r.End.Byte {
				c.diags[i].Message = a.where + ": " + c.diags[i].Message
				break
			}
		}
	}
	r := redact.Secrets(c.secrets...)
	for i := range c.diags {
		c.diags[i].Message = r.String(c.diags[i].Message)
	}
	sort.SliceStable(c.diags, func(i, j int) bool {
		a, b := c.diags[i], c.diags[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Message < b.Message
	})
	out := c.diags[:0]
	for _, d := range c.diags {
		if len(out) == 0 || d != out[len(out)-1] {
			out = append(out, d)
		}
	}
	return &Error{Diags: out}
}

// unsetEnvAttrs finds the attributes whose expression calls env() of a
// variable lookup does not know (the placeholder lookup records it; the
// real one, wrapped, answers for the rest). Only a constant name is
// recognised: env(var.x) is not a form the language has.
func unsetEnvAttrs(body hcl.Body, lookup func(string) (string, bool)) []hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []hcl.Range
	_ = hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		attr, ok := n.(*hclsyntax.Attribute)
		if !ok {
			return nil
		}
		_ = hclsyntax.VisitAll(attr.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok || call.Name != "env" || len(call.Args) != 1 {
				return nil
			}
			v, diags := call.Args[0].Value(nil)
			if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
				return nil
			}
			if val, _ := lookup(v.AsString()); strings.HasPrefix(val, "lifeboat-placeholder-for-unset-") {
				out = append(out, attr.SrcRange)
			}
			return nil
		})
		return nil
	})
	return out
}
