package health

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// seenRequest is what a test server received.
type seenRequest struct {
	path   string
	host   string
	header http.Header
}

// recorder is a loopback server on ip that records every request and
// answers with handle.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func startRecorder(t *testing.T, ip string, handle http.HandlerFunc) *recorder {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	rec.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, seenRequest{path: r.URL.Path, host: r.Host, header: r.Header.Clone()})
		rec.mu.Unlock()
		handle(w, r)
	}))
	rec.srv.Listener.Close()
	rec.srv.Listener = l
	rec.srv.Start()
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) requests() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenRequest(nil), r.seen...)
}

func redirectTo(url string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, url, http.StatusFound) }
}

func okHandler(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "landed") }

const (
	secretAuth = "Bearer s3cret-auth-value"
	secretKey  = "k3y-secret-value"
)

// secretHeaders are the configured headers a redirect must not carry away.
func secretHeaders() map[string]string {
	return map[string]string{"Authorization": secretAuth, "X-Api-Key": secretKey}
}

// assertNoSecrets fails when a request carried a configured header or a Referer.
func assertNoSecrets(t *testing.T, who string, reqs []seenRequest) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatalf("%s received no request", who)
	}
	for _, r := range reqs {
		for _, h := range []string{"Authorization", "X-Api-Key", "Referer"} {
			if v := r.header.Get(h); v != "" {
				t.Errorf("%s received %s: %q on %s", who, h, v, r.path)
			}
		}
	}
}

func TestHTTPRedirectToAnotherOriginDropsHeaders(t *testing.T) {
	ipA, ipB := testharness.LoopbackIP(t), testharness.LoopbackIP(t)
	cases := []struct {
		name string
		// landIP is where the redirect goes: another address, or the
		// first server's address on another port.
		landIP string
	}{
		{name: "other address", landIP: ipB},
		{name: "same address, other port", landIP: ipA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			land := startRecorder(t, tc.landIP, okHandler)
			first := startRecorder(t, ipA, redirectTo(land.srv.URL+"/land"))
			p := NewProbers(ProberOptions{})
			t.Cleanup(p.Close)
			c := httpCheck(&config.HTTPCheck{
				URL: first.srv.URL + "/start", Headers: secretHeaders(), Host: "www.example.test",
				FollowRedirects: true, MaxRedirects: 10, ExpectStatus: []int{200},
			})
			r := probeOnce(t, p, c)
			if !r.OK {
				t.Fatalf("redirect not followed to the end: %+v", r)
			}
			if got := first.requests(); len(got) != 1 || got[0].header.Get("X-Api-Key") != secretKey || got[0].host != "www.example.test" {
				t.Fatalf("the check's own origin must get its headers and Host: %+v", got)
			}
			reqs := land.requests()
			assertNoSecrets(t, "the other origin", reqs)
			if h := reqs[0].host; h == "www.example.test" {
				t.Errorf("the Host override followed the redirect to another origin")
			}
			if ua := reqs[0].header.Get("User-Agent"); ua != userAgent {
				t.Errorf("User-Agent %q, want %q", ua, userAgent)
			}
		})
	}
}

func TestHTTPRedirectSameOriginKeepsHeadersWithoutReferer(t *testing.T) {
	srv := startRecorder(t, testharness.LoopbackIP(t), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "/land", http.StatusFound)
			return
		}
		okHandler(w, r)
	})
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	c := httpCheck(&config.HTTPCheck{URL: srv.srv.URL + "/start", Headers: secretHeaders(), FollowRedirects: true, MaxRedirects: 10})
	if r := probeOnce(t, p, c); !r.OK {
		t.Fatalf("%+v", r)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[1].path != "/land" {
		t.Fatalf("requests %+v", reqs)
	}
	if reqs[1].header.Get("X-Api-Key") != secretKey || reqs[1].header.Get("Authorization") != secretAuth {
		t.Errorf("a redirect on the origin must keep the configured headers: %v", reqs[1].header)
	}
	if ref := reqs[1].header.Get("Referer"); ref != "" {
		t.Errorf("Referer %q sent on a redirect", ref)
	}
}

// Once a chain has left the origin, coming back does not restore the
// headers: the other server chose where on the origin they would go.
func TestHTTPRedirectBackToOriginStaysStripped(t *testing.T) {
	ip := testharness.LoopbackIP(t)
	var back string
	origin := startRecorder(t, ip, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, back, http.StatusFound)
			return
		}
		okHandler(w, r)
	})
	other := startRecorder(t, testharness.LoopbackIP(t), redirectTo(origin.srv.URL+"/land"))
	back = other.srv.URL + "/bounce"
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	c := httpCheck(&config.HTTPCheck{URL: origin.srv.URL + "/start", Headers: secretHeaders(), FollowRedirects: true, MaxRedirects: 10})
	if r := probeOnce(t, p, c); !r.OK {
		t.Fatalf("%+v", r)
	}
	assertNoSecrets(t, "the other origin", other.requests())
	reqs := origin.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests %+v", reqs)
	}
	assertNoSecrets(t, "the origin after the bounce", reqs[1:])
}

func TestHTTPMaxRedirectsZeroFollowsNone(t *testing.T) {
	land := startRecorder(t, testharness.LoopbackIP(t), okHandler)
	first := startRecorder(t, testharness.LoopbackIP(t), redirectTo(land.srv.URL+"/land"))
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	c := httpCheck(&config.HTTPCheck{URL: first.srv.URL + "/", FollowRedirects: true, MaxRedirects: 0, ExpectStatus: []int{302}})
	r := probeOnce(t, p, c)
	if !r.OK || r.Reason != "status 302 Found" {
		t.Fatalf("max_redirects = 0: the 3xx answer is the result; got %+v", r)
	}
	if n := len(land.requests()); n != 0 {
		t.Fatalf("max_redirects = 0 followed a redirect (%d requests)", n)
	}
}

func TestProviderAPIRedirects(t *testing.T) {
	const token = "api-t0ken-value"
	ip := testharness.LoopbackIP(t)
	other := startRecorder(t, testharness.LoopbackIP(t), okHandler)
	otherPort := startRecorder(t, ip, okHandler)
	api := startRecorder(t, ip, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.srv.URL+"/login", http.StatusFound)
		case "/away-port":
			http.Redirect(w, r, otherPort.srv.URL+"/login", http.StatusFound)
		case "/v1/servers":
			http.Redirect(w, r, "/v1/servers/", http.StatusMovedPermanently)
		default:
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{"servers":[]}`)
		}
	})
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	check := func(path string) Result {
		return probeOnce(t, p, &config.Check{Name: "api", Timeout: 2 * time.Second, ProviderAPI: &config.ProviderAPICheck{
			URL: api.srv.URL + path, Method: http.MethodGet, Token: token, Header: "Authorization", LostPattern: config.DefaultLostPattern,
		}})
	}

	for _, path := range []string{"/away", "/away-port"} {
		r := check(path)
		if !r.OK || r.AccountLost || r.Reason != "provider API answered 302 Found, a redirect to another origin (not followed)" {
			t.Errorf("%s: %+v", path, r)
		}
	}
	if n := len(other.requests()) + len(otherPort.requests()); n != 0 {
		t.Fatalf("the token's redirect to another origin was followed (%d requests)", n)
	}

	r := check("/v1/servers")
	if !r.OK || r.Reason != "account active: 200 OK" {
		t.Fatalf("a redirect on the API's origin is followed with the token: %+v", r)
	}
	reqs := api.requests()
	last := reqs[len(reqs)-1]
	if last.path != "/v1/servers/" || last.header.Get("Referer") != "" {
		t.Fatalf("last request %+v: want /v1/servers/ without a Referer", last)
	}
}
