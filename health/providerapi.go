package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

type apiProbe struct {
	req    *http.Request
	client *http.Client
	lost   *regexp.Regexp
	// warn matches a body that says the account is at risk; nil: never.
	warn *regexp.Regexp
}

// compileProviderAPI builds the request once. The token goes in a header
// and never into a reason, a target or a log line, nor to another origin:
// redirects are followed only on the API's own origin. Method, header and
// lost pattern come defaulted from the configuration.
func (p *Probers) compileProviderAPI(c *config.ProviderAPICheck) (probeFunc, error) {
	req, err := http.NewRequest(c.Method, c.URL, nil)
	if err != nil {
		// Not quoting the URL: an account id or a token may sit in it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("provider_api request: invalid url: %w", err)
	}
	if c.Token != "" {
		switch {
		case c.Header == "":
			return nil, errors.New("provider_api: no header to carry the token")
		case http.CanonicalHeaderKey(c.Header) == "Authorization":
			req.Header.Set("Authorization", "Bearer "+c.Token)
		default:
			req.Header.Set(c.Header, c.Token)
		}
	}
	req.Header.Set("User-Agent", userAgent)
	var lost *regexp.Regexp
	if c.LostPattern != "" {
		if lost, err = regexp.Compile(c.LostPattern); err != nil {
			return nil, fmt.Errorf("lost_pattern: %w", err)
		}
	}
	var warn *regexp.Regexp
	if c.WarnPattern != "" {
		if warn, err = regexp.Compile(c.WarnPattern); err != nil {
			return nil, fmt.Errorf("warn_pattern: %w", err)
		}
	}
	ap := &apiProbe{
		req:  req,
		lost: lost,
		warn: warn,
		client: &http.Client{
			Transport:     p.transport(false, ""),
			CheckRedirect: apiRedirectPolicy,
		},
	}
	return ap.run, nil
}

func (a *apiProbe) run(ctx context.Context, start time.Time) outcome {
	resp, err := a.client.Do(a.req.WithContext(ctx))
	if err != nil {
		return errOutcome(ctx, start, "provider API unreachable: ", err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, rerr := body.ReadFrom(io.LimitReader(resp.Body, maxBodyDrain))
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return outcome{lost: true, reason: "account lost: provider API answered " + statusText(code)}
	case a.lost != nil && a.lost.Match(body.Bytes()):
		return outcome{lost: true, reason: fmt.Sprintf("account lost: provider API answered %s saying %q", statusText(code), a.lost.Find(body.Bytes()))}
	case rerr != nil:
		return errOutcome(ctx, start, "provider API: reading answer: ", rerr)
	case code >= 500:
		return outcome{reason: "provider API error: " + statusText(code)}
	case code >= 400:
		return outcome{reason: "provider API refused the request: " + statusText(code)}
	case code >= 300 && resp.Header.Get("Location") != "":
		// Only a redirect to another origin ends here: no evidence
		// against the account, and the token was not sent there.
		return outcome{ok: true, reason: "provider API answered " + statusText(code) + ", a redirect to another origin (not followed)"}
	}
	o := outcome{ok: true, reason: "account active: " + statusText(code)}
	if a.warn != nil && code < 300 {
		if m := a.warn.Find(body.Bytes()); m != nil {
			// The account works, but is at risk: a warning, not a failure.
			o.warning = fmt.Sprintf("account at risk: provider API says %q", clipWarning(m))
		}
	}
	return o
}

// clipWarning keeps a matched warning to one short line.
func clipWarning(m []byte) string {
	s := strings.Join(strings.Fields(string(m)), " ")
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}
