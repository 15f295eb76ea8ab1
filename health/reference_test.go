package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// This node is blind only while every reference check fails; one passing
// reference, no references, or no round yet is sight.
func TestReferencesBlind(t *testing.T) {
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			rw.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ref := func(name, url string) *config.Check {
		return &config.Check{Name: name, HTTP: &config.HTTPCheck{URL: url, Method: "GET"}}
	}
	cfg := &config.Config{Policy: config.Policy{Interval: 20 * time.Millisecond, Timeout: time.Second,
		Reference: []*config.Check{ref("one", srv.URL+"/a"), ref("two", srv.URL+"/b")}}}
	r := NewReferences(cfg)
	if why := r.Blind(); why != "" {
		t.Fatalf("blind before any round: %q", why)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitRound := func(after time.Time) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, at := r.Results(); at.After(after) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("no reference round within 5s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitRound(time.Now())
	if why := r.Blind(); why != "" {
		t.Fatalf("blind while the references answer: %q", why)
	}
	down.Store(true)
	waitRound(time.Now())
	if why := r.Blind(); !strings.Contains(why, "every reference check fails") || !strings.Contains(why, "503") {
		t.Fatalf("not blind while every reference fails: %q", why)
	}
	if NewReferences(&config.Config{}).Blind() != "" {
		t.Fatal("blind with no references configured")
	}
}
