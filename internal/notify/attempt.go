package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// attemptError is why one attempt failed. Its text never holds the URL, a
// header or the secret: it is built here, not taken from net/http, whose
// errors quote the URL.
type attemptError struct {
	msg   string
	retry bool          // worth another attempt (network, 5xx, 429)
	after time.Duration // the receiver's Retry-After, if any
}

func (e *attemptError) Error() string { return e.msg }

// noRedirect keeps the body and the configured headers at the configured
// URL: a redirect is answered as it is, and reported.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// attempt posts body once, bounded by timeout.
func attempt(ctx context.Context, client *http.Client, dest destination, body []byte, id string, timeout time.Duration) error {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, dest.url, bytes.NewReader(body))
	if err != nil {
		return &attemptError{msg: "the URL does not make a request"}
	}
	req.Header.Set("User-Agent", "lifeboat")
	dest.header(req.Header, body, time.Now(), id)
	resp, err := client.Do(req)
	if err != nil {
		return &attemptError{msg: describe(ctx, err, timeout), retry: ctx.Err() == nil}
	}
	// Read a little so the connection can be reused, within the timeout.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return &attemptError{msg: fmt.Sprintf("answered %s, a redirect, which lifeboat does not follow: configure the final URL", resp.Status)}
	case code == http.StatusTooManyRequests || code >= 500:
		return &attemptError{msg: "answered " + resp.Status, retry: true, after: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return &attemptError{msg: "answered " + resp.Status}
}

// describe says why a request got no answer, in words that name neither
// the URL nor its host (the host may be part of the secret).
func describe(ctx context.Context, err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case ctx.Err() != nil:
		return "stopped before an answer came"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer within " + timeout.String()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before an answer"
	case errors.As(err, &dnsErr):
		return "host name not found"
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return "TLS certificate not trusted"
	}
	return "unreachable"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }
