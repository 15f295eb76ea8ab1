package health

import (
	"net/url"
	"sort"
	"strings"
)

// hidden replaces a secret in a reason or a target, as the configuration
// loader does in its messages.
const hidden = "<hidden>"

// minSecretLen is the shortest value scrubbed from free text: shorter
// values would mangle ordinary words and numbers.
const minSecretLen = 4

// scrubber replaces each of a fixed set of values with <hidden>, longest
// first so a value containing another is hidden whole.
type scrubber []string

// newScrubber keeps the values of at least minSecretLen bytes, without repeats.
func newScrubber(values ...string) scrubber {
	seen := map[string]bool{}
	var s scrubber
	for _, v := range values {
		if len(v) >= minSecretLen && !seen[v] {
			seen[v] = true
			s = append(s, v)
		}
	}
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	return s
}

func (s scrubber) scrub(text string) string {
	for _, v := range s {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, hidden)
		}
	}
	return text
}

// urlScrubber hides a secret URL and each of its parts (host, path,
// query, user info, fragment) wherever an error quotes them: the secret
// may be any one part, and net/http quotes URLs and Location headers
// that extend them.
func urlScrubber(raw string) scrubber {
	parts := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		parts = append(parts, u.String(), u.Host, u.Hostname(), u.RawQuery, u.Fragment, u.EscapedFragment())
		if u.Path != "/" {
			parts = append(parts, u.Path, u.EscapedPath(), strings.TrimPrefix(u.Path, "/"))
		}
		if u.User != nil {
			pw, _ := u.User.Password()
			parts = append(parts, u.User.String(), u.User.Username(), pw)
		}
	}
	return newScrubber(parts...)
}

// credScrubber hides the user info and the query of a literal URL (a
// password, an API key) wherever an error quotes them; the rest of it
// stays readable.
func credScrubber(raw string) scrubber {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var parts []string
	if u.RawQuery != "" {
		parts = append(parts, u.RawQuery, u.Query().Encode())
		for _, vs := range u.Query() {
			parts = append(parts, vs...)
		}
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		parts = append(parts, u.User.String(), pw)
	}
	return newScrubber(parts...)
}

// identity is the Redact of ProberOptions left nil.
func identity(s string) string { return s }
