package config

import (
	"fmt"
	"net"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// blk is one block being converted: where it is, how to name its fields
// in messages, and its attributes' positions.
type blk struct {
	c    *checker
	body *hclsyntax.Body // nil if the body is not native syntax
	def  hcl.Range
	// head names the innermost labelled blocks, e.g. `service "www" check "http"`;
	// dotted the unlabelled ones below it, e.g. "http" or "policy".
	head, dotted string
}

// block starts converting a top-level block.
func (c *checker) block(body hcl.Body, def hcl.Range, kind, label string, labelled bool) *blk {
	return c.newBlk(body, def, "", "", kind, label, labelled)
}

// child starts converting a block nested in b.
func (b *blk) child(body hcl.Body, def hcl.Range, kind, label string, labelled bool) *blk {
	return b.c.newBlk(body, def, b.head, b.dotted, kind, label, labelled)
}

func (c *checker) newBlk(body hcl.Body, def hcl.Range, head, dotted, kind, label string, labelled bool) *blk {
	b := &blk{c: c, def: def}
	b.body, _ = body.(*hclsyntax.Body)
	if labelled {
		b.head = strings.TrimSpace(join2(head, dotted) + " " + kind + " " + strconv.Quote(label))
	} else {
		b.head, b.dotted = head, join(dotted, kind)
	}
	b.recordRanges()
	return b
}

// join2 joins a labelled head and an unlabelled path the way where does.
func join2(head, dotted string) string {
	switch {
	case head == "":
		return dotted
	case dotted == "":
		return head
	}
	return head + ": " + dotted
}

func (b *blk) recordRanges() {
	if b.body == nil {
		return
	}
	m := make(map[string]hcl.Range, len(b.body.Attributes))
	for name, a := range b.body.Attributes {
		m[name] = a.SrcRange
		b.c.attrNames = append(b.c.attrNames, namedRange{a.SrcRange, b.where(name)})
	}
	b.c.attrRanges[b.def] = m
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// where names a field of this block for messages: `policy.interval`,
// `service "www": candidates`; with attr "" it names the block.
func (b *blk) where(attr string) string {
	d := b.dotted
	if attr != "" {
		d = join(d, attr)
	}
	return join2(b.head, d)
}

func (b *blk) attr(name string) *hclsyntax.Attribute {
	if b.body == nil {
		return nil
	}
	return b.body.Attributes[name]
}

// written reports whether the attribute appears in the block at all.
func (b *blk) written(name string) bool { return b.attr(name) != nil }

// ok reports whether the attribute was written and decoded without error,
// so its value deserves checking.
func (b *blk) ok(name string) bool {
	a := b.attr(name)
	return a != nil && !b.c.failed(a.SrcRange)
}

// at is the position of an attribute, or of the block if it is absent.
func (b *blk) at(name string) hcl.Range {
	if a := b.attr(name); a != nil {
		return a.SrcRange
	}
	return b.def
}

// errf reports a problem with attribute name (at the block when absent).
func (b *blk) errf(name, format string, args ...any) {
	b.c.add(b.at(name), b.where(name)+": "+fmt.Sprintf(format, args...))
}

// blockErrf reports a problem with the block itself, at its header.
func (b *blk) blockErrf(format string, args ...any) {
	b.c.add(b.def, b.where("")+": "+fmt.Sprintf(format, args...))
}

// hidden reports whether the attribute's value may be a secret: anything
// computed by env() or file() never appears in a message.
func (b *blk) hidden(name string) bool {
	a := b.attr(name)
	return a == nil || callsFunction(a.Expr)
}

// q quotes a value for a message, with a leading space; a value that may
// be a secret is shown as <hidden>.
func (b *blk) q(name, v string) string {
	return " " + b.qname(name, v)
}

// qname is q without the leading space.
func (b *blk) qname(name, v string) string {
	if b.hidden(name) {
		return redact.Placeholder
	}
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return strconv.Quote(v)
}

func callsFunction(e hclsyntax.Expression) bool {
	found := false
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			found = true
		}
		return nil
	})
	return found
}

// str returns a string attribute; required ones report their absence.
func (b *blk) str(name string, p *string, required bool) string {
	if b.ok(name) && p != nil {
		return *p
	}
	// Absent, or written as null; an attribute that failed to decode
	// has its error already.
	if required && (!b.written(name) || b.ok(name)) {
		b.errf(name, "is required")
	}
	return ""
}

// nonEmpty is str for attributes that may be left out but not written as "".
func (b *blk) nonEmpty(name string, p *string, required bool) string {
	v := b.str(name, p, required)
	if b.ok(name) && p != nil && strings.TrimSpace(*p) == "" {
		b.errf(name, "must not be empty")
	}
	return v
}

// duration parses a positive duration; 0 when absent or invalid.
func (b *blk) duration(name string, p *string) time.Duration {
	if !b.ok(name) || p == nil {
		return 0
	}
	d, err := time.ParseDuration(*p)
	if err != nil {
		b.errf(name, "invalid duration%s (use a number and a unit, such as 30s, 5m or 1h)", b.q(name, *p))
		return 0
	}
	if d <= 0 {
		b.errf(name, "duration must be positive, got%s", b.q(name, *p))
		return 0
	}
	return d
}

// intIn returns an integer attribute within [lo, hi]; 0 when absent or out
// of range (the error is reported).
func (b *blk) intIn(name string, p *int, lo, hi int) int {
	if !b.ok(name) || p == nil {
		return 0
	}
	if *p < lo || *p > hi {
		if hi == maxInt {
			b.errf(name, "must be at least %d, got %d", lo, *p)
		} else {
			b.errf(name, "must be between %d and %d, got %d", lo, hi, *p)
		}
		return 0
	}
	return *p
}

const maxInt = int(^uint(0) >> 1)

// regex checks that a regular expression compiles.
func (b *blk) regex(name string, p *string) string {
	if !b.ok(name) || p == nil {
		return ""
	}
	b.checkRegex(name, *p, "")
	return *p
}

func (b *blk) checkRegex(name, expr, what string) {
	if _, err := regexp.Compile(expr); err != nil {
		detail := "invalid"
		if se, ok := err.(*syntax.Error); ok {
			detail = string(se.Code)
			if !b.hidden(name) {
				detail += ": " + strconv.Quote(se.Expr)
			}
		}
		b.errf(name, "invalid regular expression%s: %s", what, detail)
	}
}

// oneOf checks an enumerated string value.
func (b *blk) oneOf(name string, p *string, allowed ...string) string {
	if !b.ok(name) || p == nil {
		return ""
	}
	for _, a := range allowed {
		if *p == a {
			return a
		}
	}
	b.errf(name, "must be one of %s, got%s", strings.Join(allowed, ", "), b.q(name, *p))
	return ""
}

// hostPort checks a "host:port" address.
func (b *blk) hostPort(name, v string) bool {
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		b.errf(name, "must be host:port, got%s", b.q(name, v))
		return false
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		b.errf(name, "port must be between 1 and 65535, got%s", b.q(name, port))
		return false
	}
	return true
}

// names checks a list of names: no empty ones, no repeats.
func (b *blk) names(name string, vs []string) bool {
	seen := map[string]bool{}
	good := true
	for _, v := range vs {
		switch {
		case strings.TrimSpace(v) == "":
			b.errf(name, "empty name in list")
			good = false
		case seen[v]:
			b.errf(name, "%s listed twice", b.qname(name, v))
			good = false
		}
		seen[v] = true
	}
	return good
}
