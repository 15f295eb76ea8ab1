package health

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// maxAPIRedirects bounds the same-origin redirects a provider_api check follows.
const maxAPIRedirects = 10

// redirectError explains why redirects were not followed to the end.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// httpRedirectPolicy follows at most h.MaxRedirects redirects (0: none,
// the 3xx answer is the result). Headers from the configuration are often
// credentials, so they go only to the check's own origin: Go's client
// drops Authorization and Cookie across domains but copies every other
// header.
func httpRedirectPolicy(h *config.HTTPCheck) func(*http.Request, []*http.Request) error {
	follow, limit, host := h.FollowRedirects, h.MaxRedirects, h.Host
	return func(r *http.Request, via []*http.Request) error {
		if !follow || limit <= 0 {
			return http.ErrUseLastResponse
		}
		for _, v := range via {
			if v.URL.String() == r.URL.String() {
				return &redirectError{fmt.Sprintf("redirect loop: %s leads back to %s", via[len(via)-1].URL.Path, r.URL.Path)}
			}
		}
		if len(via) > limit {
			return &redirectError{fmt.Sprintf("more than %d redirects", limit)}
		}
		if stripForRedirect(r, via) && host != "" {
			// The Host override names the origin's site; it stays there.
			r.Host = host
		}
		return nil
	}
}

// apiRedirectPolicy follows a provider API's redirects only while they
// stay on its origin (the token with them). A redirect elsewhere is not
// followed: the 3xx answer is the result and the token never leaves.
func apiRedirectPolicy(r *http.Request, via []*http.Request) error {
	if !stripForRedirect(r, via) {
		return http.ErrUseLastResponse
	}
	if len(via) > maxAPIRedirects {
		return &redirectError{fmt.Sprintf("more than %d redirects", maxAPIRedirects)}
	}
	return nil
}

// stripForRedirect prepares the next hop r of a redirect chain: it never
// carries a Referer (it would tell the next server the probed URL), and
// once the chain has left the first request's origin it carries no
// configured header at all, whatever comes after. It reports whether the
// chain is still on that origin.
func stripForRedirect(r *http.Request, via []*http.Request) bool {
	r.Header.Del("Referer")
	first := origin(via[0].URL)
	same := origin(r.URL) == first
	for _, v := range via[1:] {
		same = same && origin(v.URL) == first
	}
	if !same {
		r.Header = http.Header{"User-Agent": {userAgent}}
		r.Host = ""
	}
	return same
}

// origin is scheme://host:port with the scheme's default port filled in,
// the unit a credential is meant for.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
