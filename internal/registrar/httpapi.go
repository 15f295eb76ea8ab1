package registrar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// apiTimeout bounds one call to a registrar's API; maxBody bounds what is
// read of an answer.
const (
	apiTimeout = 30 * time.Second
	maxBody    = 1 << 20
)

// endpoint checks a registrar API's base URL: https, or http only on a
// loopback host (a local test server or proxy). It returns the URL without
// a trailing slash.
func endpoint(s settings, def string) (string, []string) {
	raw := s["endpoint"]
	if raw == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", []string{`setting "endpoint" must be an http(s) URL with a host`}
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", []string{`setting "endpoint" must be https (plain http only on a loopback address)`}
		}
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// apiClient calls a JSON API. Its errors quote the API's own message, never
// the request (which carries the credentials).
type apiClient struct {
	base    string
	header  http.Header
	secrets []string // removed from any message quoted from the API
	client  *http.Client
}

func newAPIClient(base string, header http.Header, secrets ...string) *apiClient {
	return &apiClient{base: base, header: header, secrets: secrets, client: &http.Client{
		Timeout: apiTimeout,
		// A redirect would resend the credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// call sends body (JSON, when not nil) to base+path and decodes a 2xx
// answer into out. A non-2xx answer is an error with the API's message.
func (c *apiClient) call(ctx context.Context, method, path string, body, out any, message func([]byte) string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// url.Error quotes the URL, which holds no credentials here.
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := clip(c.redact(message(data)))
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return fmt.Errorf("%s %s: %d: %s", method, path, resp.StatusCode, msg)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}

// redact removes the credentials from a message quoted from the API: some
// APIs echo the request they refuse. It goes before clip, which could cut
// a credential to a part no longer recognised.
func (c *apiClient) redact(msg string) string {
	return redact.Strict(c.secrets...).String(msg)
}

// clip keeps an API's message short and on one line.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}
