package datafresh_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
)

// now0 is the clock of the http and exec tests: 1796644800 Unix seconds.
var now0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return now0 }

func withDeadline(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// serve starts a real HTTP server on 127.0.0.1.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPMeasure(t *testing.T) {
	body := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(s))
		}
	}
	header := func(k, v string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Header().Set(k, v) }
	}
	tests := []struct {
		name      string
		h         http.HandlerFunc
		jsonField string
		header    string
		wantAge   time.Duration
		wantErr   string
	}{
		{name: "json field, RFC 3339", h: body(`{"replication":{"last_write":"2026-12-07T11:59:18Z"}}`),
			jsonField: "replication.last_write", wantAge: 42 * time.Second},
		{name: "json field, Unix seconds", h: body(`{"last": 1796644758}`), jsonField: "last", wantAge: 42 * time.Second},
		{name: "json field, Unix seconds as text", h: body(`{"last": "1796644790.5"}`), jsonField: "last", wantAge: 9500 * time.Millisecond},
		{name: "header, RFC 3339", h: header("X-Last-Write", "2026-12-07T11:58:00Z"), header: "X-Last-Write", wantAge: 2 * time.Minute},
		{name: "header, Unix seconds", h: header("X-Last-Write", "1796644740"), header: "x-last-write", wantAge: time.Minute},
		{name: "header, HTTP date", h: header("Last-Modified", "Mon, 07 Dec 2026 11:00:00 GMT"), header: "Last-Modified", wantAge: time.Hour},
		{name: "missing header", h: header("X-Other", "1796644740"), header: "X-Last-Write", wantErr: "no header X-Last-Write"},
		{name: "missing field", h: body(`{"replication":{}}`), jsonField: "replication.last_write", wantErr: "no field replication.last_write"},
		{name: "field not a time", h: body(`{"last": true}`), jsonField: "last", wantErr: "not a time"},
		{name: "bad value", h: body(`{"last": "last tuesday"}`), jsonField: "last", wantErr: "neither an RFC 3339 time nor Unix seconds"},
		{name: "not JSON", h: body(`<html>`), jsonField: "last", wantErr: "not JSON"},
		{name: "future time", h: body(`{"last": "2026-12-07T12:10:00Z"}`), jsonField: "last", wantErr: "clock skew or bad value"},
		{name: "status 500", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Last-Write", "1796644790")
			http.Error(w, "down", http.StatusInternalServerError)
		}, header: "X-Last-Write", wantErr: "500 Internal Server Error"},
		{name: "oversized body", h: body(`{"last": "2026-12-07T11:59:18Z", "pad": "` + strings.Repeat("x", datafresh.MaxBody) + `"}`),
			jsonField: "last", wantErr: "body over 64 KiB"},
		{name: "redirect not followed", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Last-Write", "1796644790")
			http.Redirect(w, r, "http://127.0.0.2:1/elsewhere", http.StatusFound)
		}, header: "X-Last-Write", wantErr: "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.h)
			m := datafresh.HTTP{URL: srv.URL + "/fresh", JSONField: tt.jsonField, Header: tt.header, Now: fixedNow}.Measure(withDeadline(t))
			if tt.wantErr != "" {
				if m.Err == nil || !strings.Contains(m.Err.Error(), tt.wantErr) {
					t.Fatalf("Measure = %+v; want an error with %q", m, tt.wantErr)
				}
				if v := datafresh.FreshByAge(m, time.Hour); v.State != datafresh.StateUnknown {
					t.Errorf("a failed measurement's verdict is %v, want unknown", v.State)
				}
				return
			}
			if m.Err != nil || m.Age != tt.wantAge || !m.At.Equal(now0) {
				t.Fatalf("Measure = %+v; want age %v at %v", m, tt.wantAge, now0)
			}
		})
	}
}

// The request carries the configured headers; a measurement without a
// deadline is refused before any request.
func TestHTTPHeadersAndDeadline(t *testing.T) {
	got := make(chan string, 10)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
		w.Header().Set("X-Last", "1796644790")
	})
	h := datafresh.HTTP{URL: srv.URL, Header: "X-Last", Headers: map[string]string{"Authorization": "Bearer t0k"}, Now: fixedNow}
	if m := h.Measure(withDeadline(t)); m.Err != nil || m.Age != 10*time.Second {
		t.Fatalf("Measure = %+v", m)
	}
	if a := <-got; a != "Bearer t0k" {
		t.Errorf("server saw Authorization %q", a)
	}
	if m := h.Measure(context.Background()); !errors.Is(m.Err, datafresh.ErrNoDeadline) {
		t.Errorf("without a deadline: %+v", m)
	}
	if len(got) != 0 {
		t.Errorf("a request was sent without a deadline")
	}
}

// A server that never answers is a failure when the deadline passes, not
// a hang.
func TestHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	m := datafresh.HTTP{URL: srv.URL, Header: "X-Last"}.Measure(ctx)
	if m.Err == nil || !errors.Is(m.Err, context.DeadlineExceeded) {
		t.Errorf("Measure = %+v; want a deadline error", m)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}
