package health

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// probeOnce compiles c against addrs and runs its first probe.
func probeOnce(t *testing.T, p *Probers, c *config.Check, addrs ...string) Result {
	t.Helper()
	probes, err := p.Compile("", c, addrs, time.Second)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return probes[0].Run(ctx)
}

func httpCheck(h *config.HTTPCheck) *config.Check {
	return &config.Check{Name: "web", HTTP: h, Timeout: 500 * time.Millisecond}
}

// serveTCP listens on loopback and hands every accepted connection to
// handle in the accept loop; connections still open are closed at cleanup.
func serveTCP(t *testing.T, handle func(net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			handle(c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	return serveTCP(t, func(net.Conn) {})
}

// resetListener reads the request, then closes with SO_LINGER 0: a TCP reset.
func resetListener(t *testing.T) string {
	return serveTCP(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		c.Read(buf)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
}

// refusedAddr is a loopback address where nothing listens.
func refusedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestHTTPProber(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "origin-1")
		fmt.Fprint(w, `{"status":"green"}`)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		fmt.Fprint(w, "late")
	})
	mux.HandleFunc("/loop-a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b", http.StatusFound) })
	mux.HandleFunc("/loop-b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-a", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusMovedPermanently) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	cases := []struct {
		name       string
		check      *config.HTTPCheck
		addrs      []string
		ok         bool
		reason     string // substring of the reason
		targetPart string
	}{
		{name: "healthy", check: &config.HTTPCheck{URL: srv.URL + "/ok", ExpectStatus: []int{200}, BodyRegex: `"green"`, ExpectHeaders: map[string]string{"x-served-by": "^origin-"}}, ok: true, reason: "status 200 OK"},
		{name: "path on every address", check: &config.HTTPCheck{Scheme: "http", Path: "/ok", Port: srv.Listener.Addr().(*net.TCPAddr).Port}, addrs: []string{"127.0.0.1"}, ok: true, reason: "status 200 OK", targetPart: "http://" + host + "/ok"},
		{name: "wrong status", check: &config.HTTPCheck{URL: srv.URL + "/broken", ExpectStatus: []int{200}}, reason: "status 503 Service Unavailable, want 200"},
		{name: "default status range", check: &config.HTTPCheck{URL: srv.URL + "/broken"}, reason: "want 200-399"},
		{name: "body mismatch", check: &config.HTTPCheck{URL: srv.URL + "/ok", BodyRegex: `"red"`}, reason: `body does not match /"red"/`},
		{name: "header mismatch", check: &config.HTTPCheck{URL: srv.URL + "/ok", ExpectHeaders: map[string]string{"X-Served-By": "^standby"}}, reason: `header X-Served-By = "origin-1" does not match /^standby/`},
		{name: "slow beyond limit", check: &config.HTTPCheck{URL: srv.URL + "/slow", MaxLatency: 50 * time.Millisecond}, reason: "over the 50ms limit"},
		{name: "accepts and never answers", check: &config.HTTPCheck{URL: "http://" + silentListener(t) + "/"}, reason: "no answer within 500ms"},
		{name: "connection refused", check: &config.HTTPCheck{URL: "http://" + refusedAddr(t) + "/"}, reason: "connection refused"},
		{name: "connection reset", check: &config.HTTPCheck{URL: "http://" + resetListener(t) + "/"}, reason: "connection reset by peer"},
		{name: "redirect loop", check: &config.HTTPCheck{URL: srv.URL + "/loop-a", FollowRedirects: true, MaxRedirects: 10}, reason: "redirect loop: /loop-b leads back to /loop-a"},
		{name: "redirect followed", check: &config.HTTPCheck{URL: srv.URL + "/moved", FollowRedirects: true, MaxRedirects: 10, ExpectStatus: []int{200}}, ok: true, reason: "status 200 OK"},
		{name: "redirect not followed", check: &config.HTTPCheck{URL: srv.URL + "/moved", MaxRedirects: 3, ExpectStatus: []int{200}}, reason: "status 301 Moved Permanently, want 200"},
		{name: "max_redirects 0: the 3xx is the result", check: &config.HTTPCheck{URL: srv.URL + "/moved", FollowRedirects: true, MaxRedirects: 0, ExpectStatus: []int{301}}, ok: true, reason: "status 301 Moved Permanently"},
		{name: "no addresses", check: &config.HTTPCheck{Scheme: "http", Path: "/ok"}, reason: "no host addresses known"},
	}
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, p, httpCheck(tc.check), tc.addrs...)
			if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v reason %q; want ok=%v reason containing %q", r.OK, r.Reason, tc.ok, tc.reason)
			}
			if tc.targetPart != "" && r.Target != tc.targetPart {
				t.Errorf("target %q, want %q", r.Target, tc.targetPart)
			}
			if r.Check != "web" || r.Kind != "http" || r.At.IsZero() || r.Latency <= 0 {
				t.Errorf("bookkeeping missing: %+v", r)
			}
		})
	}
}

func startTLS(t *testing.T, cert tls.Certificate, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPProberTLS(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now()
	hello := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") }
	good := startTLS(t, leaf(t, ca, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(90*24*time.Hour)), hello)
	expired := startTLS(t, leaf(t, ca, []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), hello)
	soon := startTLS(t, leaf(t, ca, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(48*time.Hour)), hello)
	selfSigned := startTLS(t, leaf(t, nil, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(24*time.Hour)), hello)
	// The origin only has a certificate for the service's name, and checks
	// that the request says so, as an origin behind a CDN would.
	origin := startTLS(t, leaf(t, ca, []string{"www.example.test"}, now.Add(-time.Hour), now.Add(90*24*time.Hour)),
		func(w http.ResponseWriter, r *http.Request) {
			if r.Host != "www.example.test" || r.TLS.ServerName != "www.example.test" {
				http.Error(w, "unknown site "+r.Host, http.StatusMisdirectedRequest)
				return
			}
			fmt.Fprint(w, "www")
		})

	p := NewProbers(ProberOptions{RootCAs: ca.pool})
	t.Cleanup(p.Close)
	cases := []struct {
		name    string
		check   *config.HTTPCheck
		ok      bool
		reason  string
		warning string
	}{
		{name: "valid", check: &config.HTTPCheck{URL: good.URL}, ok: true, reason: "status 200 OK"},
		{name: "expired", check: &config.HTTPCheck{URL: expired.URL}, reason: "TLS certificate expired or not yet valid"},
		{name: "expired but verification off", check: &config.HTTPCheck{URL: expired.URL, InsecureSkipVerify: true}, ok: true, reason: "status 200 OK", warning: "TLS certificate expires in -"},
		{name: "expiring soon warns", check: &config.HTTPCheck{URL: soon.URL, CertExpiryWarning: config.DefaultCertExpiryWarning}, ok: true, reason: "status 200 OK", warning: "TLS certificate expires in 48h"},
		{name: "self-signed", check: &config.HTTPCheck{URL: selfSigned.URL}, reason: "TLS certificate signed by unknown authority"},
		{name: "origin without host override", check: &config.HTTPCheck{URL: origin.URL}, reason: "TLS certificate not valid for 127.0.0.1"},
		{name: "origin with Host/SNI override", check: &config.HTTPCheck{URL: origin.URL, Host: "www.example.test", BodyRegex: "^www$"}, ok: true, reason: "status 200 OK"},
		{name: "host override by path", check: &config.HTTPCheck{Scheme: "https", Path: "/", Port: origin.Listener.Addr().(*net.TCPAddr).Port, Host: "www.example.test"}, ok: true, reason: "status 200 OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, p, httpCheck(tc.check), "127.0.0.1")
			if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v reason %q; want ok=%v reason containing %q", r.OK, r.Reason, tc.ok, tc.reason)
			}
			if !strings.Contains(r.Warning, tc.warning) || (tc.warning == "" && r.Warning != "") {
				t.Fatalf("warning %q, want %q", r.Warning, tc.warning)
			}
		})
	}
}

func TestProviderAPIProber(t *testing.T) {
	const token = "s3cret-token-value"
	mux := http.NewServeMux()
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, "no token", http.StatusBadRequest)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("/ok", authed(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"account":{"status":"active"}}`) }))
	mux.HandleFunc("/401", authed(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "invalid token", http.StatusUnauthorized) }))
	mux.HandleFunc("/403", authed(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "forbidden", http.StatusForbidden) }))
	mux.HandleFunc("/suspended", authed(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"account":{"status":"suspended","reason":"terms of service"}}`)
	}))
	mux.HandleFunc("/terminated", authed(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"account terminated"}`, http.StatusPaymentRequired)
	}))
	mux.HandleFunc("/500", authed(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }))
	mux.HandleFunc("/custom-header", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != token {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "fine")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	cases := []struct {
		url, header string
		ok, lost    bool
		reason      string
	}{
		{url: srv.URL + "/ok", ok: true, reason: "account active: 200 OK"},
		{url: srv.URL + "/401", lost: true, reason: "account lost: provider API answered 401 Unauthorized"},
		{url: srv.URL + "/403", lost: true, reason: "account lost: provider API answered 403 Forbidden"},
		{url: srv.URL + "/suspended", lost: true, reason: `account lost: provider API answered 200 OK saying "suspended"`},
		{url: srv.URL + "/terminated", lost: true, reason: `saying "terminated"`},
		{url: srv.URL + "/500", reason: "provider API error: 500 Internal Server Error"},
		{url: "http://" + refusedAddr(t) + "/", reason: "provider API unreachable: connection refused"},
		{url: srv.URL + "/custom-header", header: "X-Auth-Token", ok: true, reason: "account active"},
	}
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			if tc.header == "" {
				tc.header = config.DefaultAPIHeader
			}
			c := &config.Check{Name: "api", ProviderAPI: &config.ProviderAPICheck{URL: tc.url, Method: http.MethodGet, Token: token, Header: tc.header, LostPattern: config.DefaultLostPattern}}
			r := probeOnce(t, p, c)
			if r.OK != tc.ok || r.AccountLost != tc.lost || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v lost=%v reason %q; want ok=%v lost=%v reason containing %q", r.OK, r.AccountLost, r.Reason, tc.ok, tc.lost, tc.reason)
			}
			if strings.Contains(fmt.Sprint(r), token) {
				t.Fatalf("token leaked into the result: %+v", r)
			}
		})
	}
}

// warn_pattern marks an answering account at risk: the result stays OK and
// carries the warning; a body without the words carries none.
func TestProviderAPIWarning(t *testing.T) {
	body := `{"account":{"status":"active"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	t.Cleanup(srv.Close)
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	c := &config.Check{Name: "api", ProviderAPI: &config.ProviderAPICheck{URL: srv.URL, Method: http.MethodGet,
		Header: config.DefaultAPIHeader, LostPattern: config.DefaultLostPattern, WarnPattern: `(?i)(overdue|abuse report)`}}
	if r := probeOnce(t, p, c); !r.OK || r.Warning != "" {
		t.Fatalf("an account in good standing: %+v", r)
	}
	body = `{"account":{"status":"active","notices":["Invoice OVERDUE since 2026-11-01"]}}`
	r := probeOnce(t, p, c)
	if !r.OK || r.AccountLost || r.Warning != `account at risk: provider API says "OVERDUE"` {
		t.Fatalf("an overdue account: %+v", r)
	}
}
