// Package redact is the project's one way of keeping secrets out of text
// bound for logs, errors, the journal and status: every secret becomes
// Placeholder, longest first so a secret containing another is hidden
// whole.
package redact

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Placeholder stands wherever a secret was.
const Placeholder = "<hidden>"

// MinLen is the shortest value New and Secrets hide: shorter values
// (a port, a flag) would mangle ordinary words and numbers.
const MinLen = 4

// Redactor replaces a fixed set of secrets in text. The nil Redactor
// leaves text as it is.
type Redactor struct {
	forms []form // longest first
}

type form struct {
	text  string
	whole bool // hidden wherever it stands; else only as a name of its own
}

// New hides each value of MinLen bytes or more wherever it stands, as
// written and as Go or JSON would quote it.
func New(values ...string) *Redactor { return build(values, MinLen, false) }

// Secrets is New plus the host and host:port of each value (a secret
// server, a secret URL), hidden only where they stand as names of their
// own: a resolver's error quotes the host alone, but a secret server on
// 127.0.0.1 must not turn 127.0.0.198 into "<hidden>98".
func Secrets(values ...string) *Redactor { return build(values, MinLen, true) }

// Strict hides every non-empty value, however short, wherever it stands:
// for credentials the caller holds apart (a password, an API token),
// where even a short one is a secret.
func Strict(values ...string) *Redactor { return build(values, 1, false) }

func build(values []string, minLen int, parts bool) *Redactor {
	r := &Redactor{}
	seen := map[form]bool{}
	add := func(f form) {
		if !seen[f] {
			seen[f] = true
			r.forms = append(r.forms, f)
		}
	}
	for _, v := range values {
		if len(v) < minLen {
			continue
		}
		add(form{text: v, whole: true})
		for _, q := range quoted(v) {
			add(form{text: q, whole: true})
		}
		if parts {
			for _, p := range secretForms(v)[1:] {
				add(form{text: p})
			}
		}
	}
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i].text) > len(r.forms[j].text) })
	return r
}

// quoted is v as it stands inside a Go or a JSON string literal, where
// that differs from v.
func quoted(v string) []string {
	var out []string
	if q := strconv.Quote(v); q[1:len(q)-1] != v {
		out = append(out, q[1:len(q)-1])
	}
	if q, err := json.Marshal(v); err == nil {
		if esc := string(q[1 : len(q)-1]); esc != v && (len(out) == 0 || out[0] != esc) {
			out = append(out, esc)
		}
	}
	return out
}

// String returns s with every secret replaced by Placeholder.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	for _, f := range r.forms {
		if !strings.Contains(s, f.text) {
			continue
		}
		if f.whole {
			s = strings.ReplaceAll(s, f.text, Placeholder)
		} else {
			s = replaceNames(s, f.text, Placeholder)
		}
	}
	return s
}

// Error returns err with its text redacted; it still unwraps to err, so
// errors.Is and errors.As keep working. A nil err stays nil, and an err
// whose text holds no secret is returned as it is.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if red := r.String(text); red != text {
		return &redacted{err: err, text: red}
	}
	return err
}

// redacted is an error whose text has its secrets replaced.
type redacted struct {
	err  error
	text string
}

func (e *redacted) Error() string { return e.text }
func (e *redacted) Unwrap() error { return e.err }
