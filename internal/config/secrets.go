package config

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Secrets are marked per attribute: an attribute whose expression calls a
// function (env() or file(), however deep, templates included) is secret,
// whatever its value. Matching by value (Config.IsSecret) cannot see a
// secret wrapped in a template ("Bearer ${env(...)}") nor one too short to
// scrub from text.

// calls reports whether attribute name is written and calls a function.
func (b *blk) calls(name string) bool {
	a := b.attr(name)
	return a != nil && callsFunction(a.Expr)
}

// secretKeys names the entries of map attribute name (already decoded as
// vals) whose expression calls a function; when the map as a whole is
// computed (a for expression, a conditional) or a key is, every entry is
// secret. The secret values are scrubbed from messages too. nil when none.
func (b *blk) secretKeys(name string, vals map[string]string) map[string]bool {
	a := b.attr(name)
	if a == nil || len(vals) == 0 {
		return nil
	}
	out := map[string]bool{}
	obj, literal := a.Expr.(*hclsyntax.ObjectConsExpr)
	if literal {
		for _, item := range obj.Items {
			key, ok := staticKey(item.KeyExpr)
			if !ok {
				literal = false
				break
			}
			if _, kept := vals[key]; kept && callsFunction(item.ValueExpr) {
				out[key] = true
			}
		}
	}
	if !literal && callsFunction(a.Expr) {
		for k := range vals {
			out[k] = true
		}
	}
	if len(out) == 0 {
		return nil
	}
	for k := range out {
		b.c.addSecret(vals[k])
	}
	return out
}

// staticKey is an object key that needs no function to compute: a bare
// name, a quoted string, a number.
func staticKey(e hclsyntax.Expression) (string, bool) {
	if callsFunction(e) {
		return "", false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}
