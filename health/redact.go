package health

import (
	"net/url"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// urlScrubber hides a secret URL and each of its parts (host, path,
// query, user info, fragment) wherever an error quotes them: the secret
// may be any one part, and net/http quotes URLs and Location headers
// that extend them.
func urlScrubber(raw string) *redact.Redactor {
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
	return redact.New(parts...)
}

// credScrubber hides the user info and the query of a literal URL (a
// password, an API key) wherever an error quotes them; the rest of it
// stays readable.
func credScrubber(raw string) *redact.Redactor {
	u, err := url.Parse(raw)
	if err != nil {
		return nil // nothing to hide: the nil Redactor leaves text as it is
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
	return redact.New(parts...)
}

// identity is the Redact of ProberOptions left nil.
func identity(s string) string { return s }
