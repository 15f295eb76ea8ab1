package config

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

// withForms returns secrets with every one's forms added.
func withForms(secrets []string) []string {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		out = append(out, secretForms(s)...)
	}
	return out
}
