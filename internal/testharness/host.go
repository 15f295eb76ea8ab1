package testharness

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// Host is a real HTTP server on a loopback address standing in for a machine
// at a hosting provider.
type Host struct {
	Addr string // ip:port
	URL  string // http://ip:port

	status atomic.Int32
	srv    *http.Server
	once   sync.Once
	done   chan struct{}
}

// StartHost serves body with status 200 on "/" and "/healthz" at ip (a
// 127.0.0.x) and a port the kernel picks; it stops on t.Cleanup.
func StartHost(t testing.TB, ip string, body string) *Host {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("testharness: host listen on %s: %v", ip, err)
	}
	h := &Host{Addr: l.Addr().String(), done: make(chan struct{})}
	h.URL = "http://" + h.Addr
	h.status.Store(http.StatusOK)
	serve := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(int(h.status.Load()))
		_, _ = w.Write([]byte(body))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", serve)
	mux.HandleFunc("/healthz", serve)
	h.srv = &http.Server{Handler: mux}
	go func() {
		defer close(h.done)
		if err := h.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("testharness: host %s: %v", h.Addr, err)
		}
	}()
	t.Cleanup(h.Stop)
	return h
}

// SetStatus makes later responses use code (e.g. 503 for unhealthy, 200 again
// for healthy); the body stays the same.
func (h *Host) SetStatus(code int) { h.status.Store(int32(code)) }

// Stop closes the listener and every open connection, so new connections are
// refused. Calling it again does nothing.
func (h *Host) Stop() {
	h.once.Do(func() {
		_ = h.srv.Close()
		<-h.done
	})
}
