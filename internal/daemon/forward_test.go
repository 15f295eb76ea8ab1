package daemon

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A leader's API that answers a forwarded operation with a redirect gets
// no second request: the operate token never reaches the redirect's
// target, and the follower reports the redirect instead.
func TestForwardDoesNotFollowRedirects(t *testing.T) {
	const token = "forward-operate-token-0123456789"
	var reached atomic.Int32
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer elsewhere.Close()
	var asked atomic.Int32
	leader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(forwardedHeader) != "n2" {
			t.Errorf("the forward is not what the API takes: %v", r.Header)
		}
		http.Redirect(w, r, elsewhere.URL+"/api/v1/hold", http.StatusTemporaryRedirect)
	}))
	defer leader.Close()

	_, _, err := postForward(t.Context(), leader.URL+"/api/v1/hold", token, "n2", []byte(`{"on":true}`))
	if !errors.Is(err, errRedirect) {
		t.Fatalf("a redirect must be an error naming it, got %v", err)
	}
	if asked.Load() != 1 || reached.Load() != 0 || leaked.Load() {
		t.Fatalf("leader asked %d times, redirect target reached %d times (token sent: %v)", asked.Load(), reached.Load(), leaked.Load())
	}
}
