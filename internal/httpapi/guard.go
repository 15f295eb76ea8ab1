package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// bodyReadTimeout bounds reading an operation's body: the server sets no
// ReadTimeout, which would also cut the request's context during a plan
// that waits for the checks, so the deadline is set where the body is read.
const bodyReadTimeout = 10 * time.Second

// hostAllowed says whether a request's Host names this daemon: a loopback
// name, an IP address (a browser that reaches the daemon by address is on
// the daemon's own origin), or one of the configured names. A web page on
// a name its owner points at 127.0.0.1 (DNS rebinding) carries that name
// and is refused, so it cannot read a loopback daemon that has no read
// token.
func hostAllowed(host string, names []string) bool {
	if host == "" {
		return true // HTTP/1.0 without Host: no browser sends that
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	for _, n := range names {
		// advertise may be written fully qualified: "n1.example.net." is
		// the same name as "n1.example.net".
		if strings.EqualFold(host, strings.TrimSuffix(n, ".")) {
			return true
		}
	}
	return false
}

// checkHost refuses a request whose Host names someone else; /healthz
// answers anyone (a load balancer may ask by any name, and it tells nothing).
func (a *api) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && !hostAllowed(r.Host, a.o.Hosts) {
			a.log.Warn("http request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", http.StatusMisdirectedRequest, "host", r.Host,
				"reason", "the Host header names neither a loopback name, an address, nor the listen or advertise host")
			writeError(w, http.StatusMisdirectedRequest, "this daemon does not answer to that host name: use its address, localhost, or the server's listen or advertise host")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer is the token of "Authorization: Bearer T", and whether there was
// one. The scheme's name is case-insensitive (RFC 9110 section 11.1):
// "bearer T" is the same credential.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// bodyDeadline bounds reading a request's body, also one no handler
// reads: after answering, the server drains an unread body to keep the
// connection, and with no deadline a client that declares a body and
// never sends it (to any path, with no token) holds its connection for
// ever, past idle_timeout.
func bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyReadTimeout))
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses a browser's request sent from another origin (the
// Sec-Fetch-Site or Origin header says so): a web page must not start an
// operation with credentials its visitor's browser holds.
var crossOrigin = http.NewCrossOriginProtection()

// jsonRequest checks what a browser's form cannot send: Content-Type
// application/json.
func jsonRequest(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("operations take a JSON body with Content-Type: application/json, not %q", ct)
	}
	return nil
}

// errEmptyBody and errTrailing are refusals of the body's shape.
var (
	errEmptyBody = errors.New("the request body is empty: send a JSON object, {} when there is nothing to say")
	errTrailing  = errors.New("the request body holds more than one JSON value")
	errNotObject = errors.New("the request body must be a JSON object, {} when there is nothing to say")
)

// decodeOne reads exactly one JSON value from r, an object, refusing
// unknown fields. null would decode as {} does: for a failover that
// means every service, so only an object written out says so.
func decodeOne(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return errEmptyBody
		}
		return err
	}
	_, err := dec.Token()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case !errors.Is(err, io.EOF):
		return errTrailing
	}
	if raw = bytes.TrimLeft(raw, " \t\r\n"); len(raw) == 0 || raw[0] != '{' {
		return errNotObject
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	return strict.Decode(v)
}
