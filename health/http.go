package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

const (
	userAgent    = "lifeboat-health"
	maxBodyRead  = 1 << 20 // bytes read for a body regex
	maxBodyDrain = 64 << 10
)

// httpTargets is the URL when set, else scheme://addr:port/path for every
// address. Scheme, port and path come defaulted from the configuration.
func httpTargets(h *config.HTTPCheck, addrs []string) ([]string, error) {
	if h.URL != "" {
		return []string{h.URL}, nil
	}
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, h.Scheme+"://"+withPort(a, h.Port)+h.Path)
	}
	return out, nil
}

// plainHeader is the header set of every probe without configured headers.
var plainHeader = http.Header{"User-Agent": {userAgent}}

// httpProbe is a compiled HTTP check against one URL: the request is built
// once and only given a fresh context per run.
type httpProbe struct {
	req         *http.Request
	client      *http.Client
	expect      []int // empty: 200-399
	body        *regexp.Regexp
	headers     []headerMatch
	maxLatency  time.Duration
	certWarning time.Duration
	// scrub hides a secret URL (url from env() or file()) in reasons.
	scrub *redact.Redactor
}

type headerMatch struct {
	name string
	re   *regexp.Regexp
}

func (p *Probers) compileHTTP(h *config.HTTPCheck, target string) (probeFunc, error) {
	req, err := http.NewRequest(h.Method, target, nil)
	if err != nil {
		if h.URLSecret {
			return nil, errors.New("http request: invalid url (hidden)")
		}
		return nil, fmt.Errorf("http request: %w", err)
	}
	if len(h.Headers) == 0 {
		// Shared, read-only: net/http copies a request's headers before
		// changing them (redirects, auth), and thousands of probes each
		// holding the same one-entry map add up.
		req.Header = plainHeader
	} else {
		for k, v := range h.Headers {
			req.Header.Set(k, v)
		}
		req.Header.Set("User-Agent", userAgent)
	}
	if h.Host != "" {
		req.Host = h.Host
	}
	hp := &httpProbe{req: req, expect: h.ExpectStatus, maxLatency: h.MaxLatency, certWarning: h.CertExpiryWarning}
	if h.URLSecret {
		hp.scrub = urlScrubber(target)
	} else {
		hp.scrub = credScrubber(target)
	}
	if h.BodyRegex != "" {
		if hp.body, err = regexp.Compile(h.BodyRegex); err != nil {
			return nil, fmt.Errorf("body_regex: %w", err)
		}
	}
	for name, expr := range h.ExpectHeaders {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("expect_headers[%s]: %w", name, err)
		}
		hp.headers = append(hp.headers, headerMatch{http.CanonicalHeaderKey(name), re})
	}
	hp.client = &http.Client{
		Transport:     p.transport(h.InsecureSkipVerify, h.Host),
		CheckRedirect: httpRedirectPolicy(h),
	}
	return hp.run, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (h *httpProbe) run(ctx context.Context, start time.Time) outcome {
	o := h.probe(ctx, start)
	o.reason = h.scrub.String(o.reason)
	return o
}

func (h *httpProbe) probe(ctx context.Context, start time.Time) outcome {
	resp, err := h.client.Do(h.req.WithContext(ctx))
	if err != nil {
		return errOutcome(ctx, start, "", err)
	}
	defer resp.Body.Close()
	if !h.statusOK(resp.StatusCode) {
		drain(resp.Body)
		return outcome{reason: "status " + statusText(resp.StatusCode) + ", want " + h.wantText()}
	}
	for _, hm := range h.headers {
		v := strings.Join(resp.Header.Values(hm.name), ", ")
		if !hm.re.MatchString(v) {
			drain(resp.Body)
			return outcome{reason: fmt.Sprintf("header %s = %q does not match /%s/", hm.name, v, hm.re)}
		}
	}
	if h.body != nil {
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxBodyRead))
		matched := err == nil && h.body.Match(buf.Bytes())
		bufPool.Put(buf)
		if err != nil {
			return errOutcome(ctx, start, "reading body: ", err)
		}
		if !matched {
			return outcome{reason: fmt.Sprintf("status %s but body does not match /%s/", statusText(resp.StatusCode), h.body)}
		}
	} else if err := drain(resp.Body); err != nil {
		return errOutcome(ctx, start, "reading body: ", err)
	}
	if h.maxLatency > 0 {
		if lat := time.Since(start); lat > h.maxLatency {
			return outcome{reason: fmt.Sprintf("status %s in %s, over the %s limit", statusText(resp.StatusCode), lat.Round(time.Millisecond), h.maxLatency)}
		}
	}
	o := outcome{ok: true, reason: "status " + statusText(resp.StatusCode)}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		cert := resp.TLS.PeerCertificates[0]
		if left := cert.NotAfter.Sub(start); left < h.certWarning {
			o.warning = fmt.Sprintf("TLS certificate expires in %s (%s)", left.Round(time.Hour), cert.NotAfter.UTC().Format(time.DateOnly))
		}
	}
	return o
}

func (h *httpProbe) statusOK(code int) bool {
	if len(h.expect) == 0 {
		return code >= 200 && code < 400
	}
	for _, c := range h.expect {
		if c == code {
			return true
		}
	}
	return false
}

func (h *httpProbe) wantText() string {
	if len(h.expect) == 0 {
		return "200-399"
	}
	s := make([]string, len(h.expect))
	for i, c := range h.expect {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, " or ")
}

// drain reads what is left of a small body so the connection can be reused.
func drain(r io.Reader) error {
	_, err := io.Copy(io.Discard, io.LimitReader(r, maxBodyDrain))
	return err
}

// statusTexts caches "200 OK" and friends: the success path should not format.
var statusTexts sync.Map

func statusText(code int) string {
	if s, ok := statusTexts.Load(code); ok {
		return s.(string)
	}
	s := strconv.Itoa(code)
	if t := http.StatusText(code); t != "" {
		s += " " + t
	}
	statusTexts.Store(code, s)
	return s
}

// timeoutOf recovers the probe's timeout from its context for messages.
func timeoutOf(ctx context.Context, start time.Time) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return d.Sub(start).Round(time.Millisecond)
	}
	return 0
}
