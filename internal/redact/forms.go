package redact

import (
	"net"
	"net/url"
	"slices"
	"strings"
)

// secretForms is v and the parts of it a message may quote on their own:
// a resolver's error names the host of a secret "host:port" ("lookup
// ns1.example.net: no such host"), an HTTP client's the host:port of a
// secret URL. Parts shorter than 4 bytes are left out (too common to
// scrub from text).
// Derived parts are hidden only as names of their own (replaceNames).
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
