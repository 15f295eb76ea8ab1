package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Probe connections keep small buffers (probeReadBuffer): a header line
// and a body longer than them must still be read whole.
func TestProbeReadsPastItsBuffers(t *testing.T) {
	long := strings.Repeat("x", 4*probeReadBuffer)
	body := strings.Repeat("b", 16*probeReadBuffer) + "END"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != userAgent {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Long", long+"!")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	p := NewProbers(ProberOptions{})
	defer p.Close()
	check := &config.Check{Name: "web", HTTP: &config.HTTPCheck{
		URL: srv.URL + "/", BodyRegex: "END$", ExpectHeaders: map[string]string{"X-Long": "^x+!$"},
	}}
	probes, err := p.Compile("", check, nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // the second and third reuse the kept-alive connection
		if r := probes[0].Run(context.Background()); !r.OK {
			t.Fatalf("run %d: %s", i, r.Reason)
		}
	}
}

// Probes without configured headers share one header map: running them
// must never write to it.
func TestSharedHeaderUntouched(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/next", http.StatusFound)
		}
	}))
	defer srv.Close()
	p := NewProbers(ProberOptions{})
	defer p.Close()
	probes, err := p.Compile("", &config.Check{Name: "web", HTTP: &config.HTTPCheck{URL: srv.URL + "/"}}, nil, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r := probes[0].Run(context.Background()); !r.OK {
		t.Fatal(r.Reason)
	}
	if len(plainHeader) != 1 || plainHeader.Get("User-Agent") != userAgent {
		t.Fatalf("the shared header changed: %v", plainHeader)
	}
}
