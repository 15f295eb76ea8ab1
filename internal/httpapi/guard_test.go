package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// send makes one request with exactly the given headers.
func send(t *testing.T, method, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// A hostile page's form, sent with the Basic credentials the browser
// holds for the status page, is refused; so is each of its traits alone,
// with a status and a JSON error that say which. Only a Bearer token, a
// JSON Content-Type, a single JSON value and a same-origin (or
// non-browser) request operate.
func TestCrossSiteRequestsCannotOperate(t *testing.T) {
	srv, b, logs := newTestServer(t, readTok, operateTok)
	basic := "Basic " + basicAuth("admin", operateTok)
	bearerH := "Bearer " + operateTok
	const formBody = `{"on":true,"reason":"x"}=` // enctype="text/plain": name=value
	cases := []struct {
		name   string
		header map[string]string
		body   string
		want   int
		says   string
	}{
		{"the hostile form", map[string]string{"Authorization": basic, "Content-Type": "text/plain", "Origin": "http://127.0.0.2:8080", "Sec-Fetch-Site": "same-site"}, formBody, 401, "Bearer"},
		{"basic with json", map[string]string{"Authorization": basic, "Content-Type": "application/json"}, `{"on":true}`, 401, "Bearer"},
		{"bearer with text/plain", map[string]string{"Authorization": bearerH, "Content-Type": "text/plain"}, `{"on":true}`, 415, "application/json"},
		{"bearer with a form type", map[string]string{"Authorization": bearerH, "Content-Type": "application/x-www-form-urlencoded"}, `{"on":true}`, 415, "application/json"},
		{"bearer without a type", map[string]string{"Authorization": bearerH}, `{"on":true}`, 415, "application/json"},
		{"cross-site fetch", map[string]string{"Authorization": bearerH, "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, `{"on":true}`, 403, "another origin"},
		{"same-site other port", map[string]string{"Authorization": bearerH, "Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, `{"on":true}`, 403, "another origin"},
		{"foreign origin", map[string]string{"Authorization": bearerH, "Content-Type": "application/json", "Origin": "http://evil.example"}, `{"on":true}`, 403, "another origin"},
		{"empty body", map[string]string{"Authorization": bearerH, "Content-Type": "application/json"}, ``, 400, "empty"},
		{"trailing data", map[string]string{"Authorization": bearerH, "Content-Type": "application/json"}, `{"on":true} {"on":false}`, 400, "more than one JSON value"},
		{"trailing garbage", map[string]string{"Authorization": bearerH, "Content-Type": "application/json"}, formBody, 400, "more than one JSON value"},
	}
	for _, c := range cases {
		code, h, body := send(t, "POST", srv.URL+"/api/v1/hold", c.header, c.body)
		if code != c.want || !strings.Contains(body, `"error"`) || !strings.Contains(body, c.says) || h.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s, want %d with a JSON error saying %q", c.name, code, body, c.want, c.says)
		}
		if code == 401 && strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: a refused operation must not ask the browser for its Basic login again", c.name)
		}
	}
	if len(b.holds) != 0 {
		t.Fatalf("a refused request changed the hold switch: %+v", b.holds)
	}
	if strings.Contains(logs.String(), operateTok) {
		t.Fatal("the token was logged")
	}
	// The legitimate clients: the CLI and a follower forwarding (no
	// browser headers), and the page's own origin.
	for _, h := range []map[string]string{
		{"Authorization": bearerH, "Content-Type": "application/json"},
		{"Authorization": bearerH, "Content-Type": "application/json; charset=utf-8", "Sec-Fetch-Site": "same-origin"},
		{"Authorization": bearerH, "Content-Type": "application/json", "Origin": srv.URL},
	} {
		if code, _, body := send(t, "POST", srv.URL+"/api/v1/hold", h, `{"on":true,"reason":"x"}`); code != 200 {
			t.Errorf("%v: %d %s", h, code, body)
		}
	}
	if len(b.holds) != 3 {
		t.Fatalf("the accepted requests reached the daemon %d times, want 3", len(b.holds))
	}
	// Reading with the browser's Basic login still works.
	if code, _, body := send(t, "GET", srv.URL+"/api/v1/hold", map[string]string{"Authorization": basic}, ""); code != 200 {
		t.Fatalf("reading with Basic: %d %s", code, body)
	}
}

func basicAuth(user, pass string) string {
	req, _ := http.NewRequest("GET", "http://x/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// A request whose Host names some other site (a DNS rebinding page) is
// refused; loopback names, addresses and the configured names are served.
func TestHostHeaderNamesThisDaemon(t *testing.T) {
	srv, _, logs := newTestServerWith(t, Options{Hosts: []string{"n1.example.net"}})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, c := range []struct {
		host string
		want int
	}{
		{"evil.example", http.StatusMisdirectedRequest},
		{"evil.example:" + port, http.StatusMisdirectedRequest},
		{"127.0.0.1.evil.example:" + port, http.StatusMisdirectedRequest},
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"LOCALHOST.:" + port, 200},
		{"[::1]:" + port, 200},
		{"n1.example.net:" + port, 200},
		{"n1.example.net", 200},
	} {
		for _, path := range []string{"/api/v1/status", "/", "/api/v1/plan"} {
			code, _, body := send(t, "GET", srv.URL+path, map[string]string{"Host": c.host}, "")
			if code != c.want {
				t.Errorf("GET %s with Host %s: %d %s, want %d", path, c.host, code, body, c.want)
			}
		}
	}
	if !strings.Contains(logs.String(), "host=evil.example") {
		t.Fatalf("the refusal is not logged:\n%s", logs.String())
	}
	if code, _, _ := send(t, "GET", srv.URL+"/healthz", map[string]string{"Host": "lb.example"}, ""); code != 200 {
		t.Fatalf("/healthz answers any host: %d", code)
	}
}

// The gate (a follower that no longer leads) speaks only to a caller
// whose operate token checked out; everyone else hears 401, logged.
func TestGateComesAfterTheToken(t *testing.T) {
	gated := 0
	srv, b, logs := newTestServerWith(t, Options{ReadToken: readTok, OperateToken: operateTok, Gate: func(*http.Request) error {
		gated++
		return errors.New("node n1 does not lead any more; try again")
	}})
	for _, c := range []struct {
		name, auth string
		want       int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer operate-0123456789abcdeX", 401},
		{"read token", "Bearer " + readTok, 403},
		{"operate token", "Bearer " + operateTok, 503},
	} {
		before := strings.Count(logs.String(), "http request refused")
		h := map[string]string{"Content-Type": "application/json", "Lifeboat-Forwarded-By": "n2"}
		if c.auth != "" {
			h["Authorization"] = c.auth
		}
		code, _, body := send(t, "POST", srv.URL+"/api/v1/failover", h, `{}`)
		if code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.want)
		}
		if strings.Count(logs.String(), "http request refused") != before+1 {
			t.Errorf("%s: the refusal is not logged", c.name)
		}
	}
	if gated != 1 || len(b.ran) != 0 {
		t.Fatalf("gate asked %d times (want once, for the operate token); ran %+v", gated, b.ran)
	}
}
