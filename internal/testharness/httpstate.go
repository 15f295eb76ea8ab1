package testharness

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// StateServer is a Terraform/OpenTofu "http" state backend on 127.0.0.1
// with locking, as the CLI speaks it: GET and POST the state at /state,
// LOCK and UNLOCK at /lock with the lock info as JSON. Any other path
// serves the same state, and one ending in /lock the same lock, also
// with POST and DELETE for LOCK and UNLOCK (GitLab's managed state). A LOCK while the
// lock is held answers 423 Locked with the holder's lock info; an UNLOCK
// with a body must name the holder's ID, one without a body (force-unlock)
// releases whatever holds it.
type StateServer struct {
	URL string // base URL, no trailing slash

	mu    sync.Mutex
	user  string // with pass: basic auth required; "" for none
	pass  string
	state []byte
	lock  []byte // the holder's lock info; nil when free
	log   []string
}

// StartStateServer serves an empty state until cleanup.
func StartStateServer(t testing.TB) *StateServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testharness: state server: %v", err)
	}
	s := &StateServer{URL: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Backend is the backend block that points a root module at s.
func (s *StateServer) Backend() string {
	return `terraform {
  backend "http" {
    address        = "` + s.URL + `/state"
    lock_address   = "` + s.URL + `/lock"
    unlock_address = "` + s.URL + `/lock"
  }
}
`
}

// RequireAuth makes every request need HTTP basic auth as user and
// pass (the backend's username and password); others get 401.
func (s *StateServer) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// Plant takes the lock as another process would, with info as its lock
// info (a JSON object with at least "ID"); false if it is held.
func (s *StateServer) Plant(info map[string]any) bool {
	data, _ := json.Marshal(info)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock != nil {
		return false
	}
	s.lock = data
	return true
}

// Holder is the lock info of whoever holds the lock, nil when free.
func (s *StateServer) Holder() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock == nil {
		return nil
	}
	var info map[string]any
	_ = json.Unmarshal(s.lock, &info)
	return info
}

// Requests lists the requests served, as "METHOD /path status".
func (s *StateServer) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Release frees the lock whoever holds it.
func (s *StateServer) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lock = nil
}

func (s *StateServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	code := s.serve(w, r, body)
	s.log = append(s.log, r.Method+" "+r.URL.Path+" "+http.StatusText(code))
}

func (s *StateServer) serve(w http.ResponseWriter, r *http.Request, body []byte) int {
	reply := func(code int, data []byte) int {
		if data != nil {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		_, _ = w.Write(data)
		return code
	}
	holder := func() string {
		var info struct{ ID string }
		_ = json.Unmarshal(s.lock, &info)
		return info.ID
	}
	if s.user != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.pass {
			return reply(http.StatusUnauthorized, nil)
		}
	}
	isLock := strings.HasSuffix(r.URL.Path, "/lock")
	switch {
	case !isLock && r.Method == http.MethodGet:
		if s.state == nil {
			return reply(http.StatusNoContent, nil)
		}
		return reply(http.StatusOK, s.state)
	case !isLock && r.Method == http.MethodPost:
		// The CLI names its lock in ?ID= when it holds one.
		if s.lock != nil && r.URL.Query().Get("ID") != holder() {
			return reply(http.StatusLocked, s.lock)
		}
		s.state = body
		return reply(http.StatusOK, nil)
	case !isLock && r.Method == http.MethodDelete:
		s.state = nil
		return reply(http.StatusOK, nil)
	case isLock && (r.Method == "LOCK" || r.Method == http.MethodPost):
		if s.lock != nil {
			return reply(http.StatusLocked, s.lock)
		}
		s.lock = body
		return reply(http.StatusOK, nil)
	case isLock && (r.Method == "UNLOCK" || r.Method == http.MethodDelete):
		if s.lock == nil {
			return reply(http.StatusOK, nil)
		}
		if len(body) > 0 {
			var info struct{ ID string }
			if json.Unmarshal(body, &info) != nil || info.ID != holder() {
				return reply(http.StatusConflict, s.lock)
			}
		}
		s.lock = nil
		return reply(http.StatusOK, nil)
	}
	return reply(http.StatusMethodNotAllowed, nil)
}
