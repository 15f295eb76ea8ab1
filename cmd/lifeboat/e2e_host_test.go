package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// The daemon as a process, on loopback with no read token: a request
// naming another host (a DNS rebinding page) is refused and logged; its
// address, localhost and the advertised name are served. The advertised
// http:// name needs insecure_plaintext, which the daemon warns about.
func TestAPIHostHeaderAndInsecurePlaintext(t *testing.T) {
	t.Parallel()
	ip := testharness.LoopbackIP(t)
	port := testharness.FreePort(t, ip)
	w := newWorld(t, worldOptions{extra: fmt.Sprintf(`
server {
  listen             = "%s:%d"
  advertise          = "http://n1.example.net:%d"
  insecure_plaintext = true
}
`, ip, port, port)})
	d := w.startDaemon()
	base := fmt.Sprintf("http://%s:%d", ip, port)
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", base+"/readyz", "", ""); return code == 200 })
	get := func(host string) int {
		req, err := http.NewRequest("GET", base+"/api/v1/status", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for host, want := range map[string]int{
		"evil.example":                         http.StatusMisdirectedRequest,
		fmt.Sprintf("evil.example:%d", port):   http.StatusMisdirectedRequest,
		fmt.Sprintf("%s:%d", ip, port):         200,
		fmt.Sprintf("localhost:%d", port):      200,
		fmt.Sprintf("n1.example.net:%d", port): 200,
	} {
		if code := get(host); code != want {
			t.Errorf("GET /api/v1/status with Host %s: %d, want %d", host, code, want)
		}
	}
	if out := d.out.String(); !strings.Contains(out, "host=evil.example") || !strings.Contains(out, "level=WARN msg=\"server.insecure_plaintext is set") {
		t.Fatalf("the daemon's log lacks the refusal or the insecure_plaintext warning:\n%s", out)
	}
}
