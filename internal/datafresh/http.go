package datafresh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxBody is the most of an HTTP answer read: a freshness document is
// small, and a large one must not fill memory.
const MaxBody = 64 << 10

// HTTP measures one provider's freshness URL: its answer carries the time
// of the last write replicated or backed up there, in a JSON field or a
// header.
type HTTP struct {
	URL string
	// JSONField is a dotted path into a JSON object ("replication.last");
	// Header names a response header. Exactly one is set.
	JSONField string
	Header    string
	// Headers are sent with the request.
	Headers map[string]string
	// Client is nil for the default: no redirects followed, the timeout
	// from ctx.
	Client *http.Client
	// Now is the clock the age is taken against; nil is time.Now.
	Now func() time.Time
}

// noRedirects answers a redirect with the 3xx itself: a freshness URL that
// moves is an error, and a redirect must not carry the request's headers
// (credentials) to another host.
var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Measure asks the URL once under ctx, which must carry a deadline. Any
// failure (no answer, a status other than 2xx, a redirect, a body over
// MaxBody, a missing or bad value, a time in the future) is in Err, not
// redacted: Round redacts it with the configuration's secrets.
func (h HTTP) Measure(ctx context.Context) Measurement {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	m := Measurement{At: now()}
	if _, ok := ctx.Deadline(); !ok {
		m.Err = ErrNoDeadline
		return m
	}
	t, err := h.fetch(ctx)
	if err != nil {
		m.Err = err
		return m
	}
	m.Age, m.Err = ageOfTime(t, now())
	return m
}

func (h HTTP) fetch(ctx context.Context) (time.Time, error) {
	if (h.JSONField == "") == (h.Header == "") {
		return time.Time{}, errors.New("datafresh: http: set exactly one of json_field and header")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("datafresh: http request: %w", err)
	}
	for k, v := range h.Headers {
		req.Header.Set(k, v)
	}
	if h.JSONField != "" {
		req.Header.Set("Accept", "application/json")
	}
	c := h.Client
	if c == nil {
		c = noRedirects
	}
	resp, err := c.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("datafresh: http: %w", err)
	}
	defer resp.Body.Close()
	// One byte past the bound tells an oversized body from one that fits.
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return time.Time{}, fmt.Errorf("datafresh: http: reading the body: %w", err)
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return time.Time{}, fmt.Errorf("datafresh: http: %s: redirects are not followed", resp.Status)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return time.Time{}, fmt.Errorf("datafresh: http: %s", resp.Status)
	case len(body) > MaxBody:
		return time.Time{}, fmt.Errorf("datafresh: http: body over %d KiB", MaxBody>>10)
	}
	if h.Header != "" {
		v := resp.Header.Get(h.Header)
		if v == "" {
			return time.Time{}, fmt.Errorf("%w: no header %s in the answer", ErrBadValue, h.Header)
		}
		return parseTime(v)
	}
	return jsonTime(body, h.JSONField)
}

// jsonTime follows a dotted path through JSON objects to a string or a
// number.
func jsonTime(body []byte, path string) (time.Time, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return time.Time{}, fmt.Errorf("%w: body is not JSON: %v", ErrBadValue, err)
	}
	for _, name := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return time.Time{}, fmt.Errorf("%w: no field %s in the body (not an object at %q)", ErrBadValue, path, name)
		}
		if v, ok = obj[name]; !ok {
			return time.Time{}, fmt.Errorf("%w: no field %s in the body", ErrBadValue, path)
		}
	}
	switch x := v.(type) {
	case string:
		return parseTime(x)
	case json.Number:
		return parseTime(x.String())
	}
	return time.Time{}, fmt.Errorf("%w: field %s is %T, not a time or Unix seconds", ErrBadValue, path, v)
}
