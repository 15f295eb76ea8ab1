package health

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// defaultLostPattern is what a provider API's body says when the account is gone.
const defaultLostPattern = `(?i)\b(suspended|terminated|banned|closed|deactivated)\b`

type apiProbe struct {
	req    *http.Request
	client *http.Client
	lost   *regexp.Regexp
}

// compileProviderAPI builds the request once. The token goes in a header
// and never into a reason, a target or a log line.
func (p *Probers) compileProviderAPI(c *config.ProviderAPICheck) (probeFunc, error) {
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, c.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("provider_api request: %w", err)
	}
	if c.Token != "" {
		if c.Header == "" || http.CanonicalHeaderKey(c.Header) == "Authorization" {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		} else {
			req.Header.Set(c.Header, c.Token)
		}
	}
	req.Header.Set("User-Agent", "lifeboat-health")
	pat := c.LostPattern
	if pat == "" {
		pat = defaultLostPattern
	}
	lost, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("lost_pattern: %w", err)
	}
	ap := &apiProbe{
		req:  req,
		lost: lost,
		client: &http.Client{
			Transport: p.transport(false, ""),
			// A redirect to a login page is not an answer about the account.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return ap.run, nil
}

func (a *apiProbe) run(ctx context.Context, start time.Time) outcome {
	resp, err := a.client.Do(a.req.WithContext(ctx))
	if err != nil {
		return outcome{reason: "provider API unreachable: " + describeErr(err, timeoutOf(ctx, start))}
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, rerr := body.ReadFrom(io.LimitReader(resp.Body, maxBodyDrain))
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return outcome{lost: true, reason: "account lost: provider API answered " + statusText(code)}
	case a.lost.Match(body.Bytes()):
		return outcome{lost: true, reason: fmt.Sprintf("account lost: provider API answered %s saying %q", statusText(code), a.lost.Find(body.Bytes()))}
	case rerr != nil:
		return outcome{reason: "provider API: reading answer: " + describeErr(rerr, timeoutOf(ctx, start))}
	case code >= 500:
		return outcome{reason: "provider API error: " + statusText(code)}
	case code >= 400:
		return outcome{reason: "provider API refused the request: " + statusText(code)}
	}
	return outcome{ok: true, reason: "account active: " + statusText(code)}
}
