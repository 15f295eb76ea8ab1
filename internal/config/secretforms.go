package config

import (
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// secretForms is v and the parts of it a message may quote on their own:
// a resolver's error names the host of a secret "host:port" ("lookup
// ns1.example.net: no such host"), an HTTP client's the host:port of a
// secret URL. Parts shorter than 4 bytes are left out (too common to
// scrub from text).
func secretForms(v string) []string {
	forms := []string{v}
	add := func(s string) {
		for _, f := range []string{s, strings.ToLower(s)} {
			if len(f) >= 4 && !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	addHostPort := func(hp string) {
		add(hp)
		if h, _, err := net.SplitHostPort(hp); err == nil {
			add(h)
		}
	}
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		addHostPort(u.Host)
		add(u.Hostname())
	} else if !strings.ContainsAny(v, "/ ") {
		addHostPort(v)
	}
	return forms
}

// redactor replaces secrets in text: each whole value wherever it
// appears (and as Go would quote it), and each part secretForms derives
// only where it stands as a name of its own, so a secret server
// 127.0.0.1:53 hides "127.0.0.1" but not the 127.0.0.198 of a host.
type redactor struct {
	forms []secretForm // longest first, so a secret containing another is replaced whole
}

type secretForm struct {
	text  string
	whole bool
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{}
	seen := map[secretForm]bool{}
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		for i, f := range secretForms(s) {
			sf := secretForm{text: f, whole: i == 0}
			if !seen[sf] {
				seen[sf] = true
				r.forms = append(r.forms, sf)
			}
		}
	}
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i].text) > len(r.forms[j].text) })
	return r
}

// replace returns s with every secret form replaced by placeholder.
func (r *redactor) replace(s, placeholder string) string {
	for _, f := range r.forms {
		if !strings.Contains(s, f.text) {
			if !f.whole {
				continue
			}
			if q := strconv.Quote(f.text); q[1:len(q)-1] != f.text {
				s = strings.ReplaceAll(s, q[1:len(q)-1], placeholder)
			}
			continue
		}
		if f.whole {
			s = strings.ReplaceAll(s, f.text, placeholder)
			continue
		}
		s = replaceNames(s, f.text, placeholder)
	}
	return s
}

// replaceNames replaces each occurrence of name in s that is not part of
// a longer host name, address or port.
func replaceNames(s, name, placeholder string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, name)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(name)
		if (i > 0 && nameByte(s[i-1], true)) || (end < len(s) && continuesName(s[end:])) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(placeholder)
		s = s[end:]
	}
}

// nameByte reports whether c can be part of a host name, an address or
// a port; a dot counts before a name, not after one (a trailing dot).
func nameByte(c byte, dot bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || (dot && c == '.')
}

// continuesName reports whether rest, the text after a match, extends
// the name: a name byte, or a dot followed by one.
func continuesName(rest string) bool {
	if nameByte(rest[0], false) {
		return true
	}
	return rest[0] == '.' && len(rest) > 1 && nameByte(rest[1], false)
}
