package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// An operation's body is one JSON object written out: null (which would
// decode as {}, a failover of every service), an array or a number is
// 400 and runs nothing; the hold switch needs "on" written, so {} cannot
// turn it off (and automatic failover back on) by omission.
func TestOperationBodiesAreObjectsAndHoldNeedsOn(t *testing.T) {
	srv, b, _ := newTestServer(t, readTok, operateTok)
	for _, tc := range []struct{ path, body string }{
		{"/api/v1/failover", "null"},
		{"/api/v1/failover", " null \n"},
		{"/api/v1/failback", "null"},
		{"/api/v1/failover", "[]"},
		{"/api/v1/failover", `"www"`},
		{"/api/v1/failover", "1"},
		{"/api/v1/drills/weekly", "null"},
		{"/api/v1/hold", "null"},
		{"/api/v1/hold", "{}"},
		{"/api/v1/hold", `{"reason":"maintenance"}`},
		{"/api/v1/hold", `{"on":null}`},
	} {
		if code, body := do(t, "POST", srv.URL+tc.path, operateTok, tc.body); code != http.StatusBadRequest {
			t.Errorf("POST %s %s: %d %s, want 400", tc.path, tc.body, code, body)
		}
	}
	if len(b.ran) != 0 || len(b.holds) != 0 {
		t.Fatalf("a refused body reached the daemon: ran %+v, holds %+v", b.ran, b.holds)
	}
	// What a client legitimately sends still works, whitespace around it too.
	for _, tc := range []struct{ path, body string }{
		{"/api/v1/failover", "{}"},
		{"/api/v1/failover", " {\"service\":\"www\"}\r\n "},
		{"/api/v1/hold", `{"on":false}`},
		{"/api/v1/hold", `{"on":true,"reason":"maintenance"}`},
		{"/api/v1/drills/weekly", "{}"},
	} {
		if code, body := do(t, "POST", srv.URL+tc.path, operateTok, tc.body); code != http.StatusOK {
			t.Errorf("POST %s %s: %d %s, want 200", tc.path, tc.body, code, body)
		}
	}
	if len(b.ran) != 2 || len(b.holds) != 2 || b.holds[0].On || !b.holds[1].On || b.holds[1].Reason != "maintenance" {
		t.Fatalf("accepted bodies: ran %+v, holds %+v", b.ran, b.holds)
	}
}

// The authentication scheme's name is case-insensitive (RFC 9110): a
// client sending "bearer" or "BEARER" reads and operates like "Bearer";
// Basic still never operates.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	srv, b, _ := newTestServer(t, readTok, operateTok)
	for _, scheme := range []string{"bearer", "BEARER", "BeArEr"} {
		code, _, body := send(t, "GET", srv.URL+"/api/v1/status", map[string]string{"Authorization": scheme + " " + readTok}, "")
		if code != http.StatusOK {
			t.Errorf("GET with %q and the read token: %d %s", scheme, code, body)
		}
		code, _, body = send(t, "POST", srv.URL+"/api/v1/hold", map[string]string{"Authorization": scheme + " " + operateTok, "Content-Type": "application/json"}, `{"on":true}`)
		if code != http.StatusOK {
			t.Errorf("POST with %q and the operate token: %d %s", scheme, code, body)
		}
		code, _, _ = send(t, "POST", srv.URL+"/api/v1/hold", map[string]string{"Authorization": scheme + " " + readTok, "Content-Type": "application/json"}, `{"on":true}`)
		if code != http.StatusForbidden {
			t.Errorf("POST with %q and the read token: %d, want 403", scheme, code)
		}
	}
	code, _, _ := send(t, "POST", srv.URL+"/api/v1/hold", map[string]string{"Authorization": basicAuth("x", operateTok), "Content-Type": "application/json"}, `{"on":true}`)
	if code != http.StatusUnauthorized {
		t.Errorf("POST with Basic and the operate token: %d, want 401", code)
	}
	if len(b.holds) != 3 {
		t.Fatalf("holds set: %+v, want the 3 with the operate token as bearer", b.holds)
	}
}

// Over real loopback TCP: a client that declares a body and never sends
// it cannot hold its connection past the body's deadline, whatever the
// request: a GET that reads no body, an operation refused for lack of a
// token, a foreign Host, an unknown path. Before, the server waited for
// the body for ever (idle_timeout does not apply while a request is read).
func TestUnsentBodyCannotHoldAConnection(t *testing.T) {
	l, err := Listen(&config.Server{Listen: "127.0.0.1:0"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, l, New(&fakeBackend{}, Options{ReadToken: readTok, OperateToken: operateTok}), time.Second, time.Second, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { cancel(); <-done })
	heads := map[string]string{
		"GET with the read token":   "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + readTok + "\r\n",
		"POST without a token":      "POST /api/v1/hold HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n",
		"GET with a foreign Host":   "GET /api/v1/status HTTP/1.1\r\nHost: evil.example\r\n",
		"POST to an unknown path":   "POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n",
		"chunked GET of the health": "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
	}
	conns := map[string]net.Conn{}
	for name, head := range heads {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if head[len(head)-1] == '\n' {
			head += "Content-Length: 1000\r\n\r\n{"
		}
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
		conns[name] = c
	}
	// The body's deadline, the idle timeout and a margin for a busy machine.
	limit := bodyReadTimeout + 5*time.Second
	start := time.Now()
	for name, c := range conns {
		_ = c.SetReadDeadline(start.Add(limit))
		_, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("%s: connection still open %s after its headers, with the body never sent", name, limit)
		}
	}
}

// An advertise URL written with a fully qualified host
// ("https://n1.example.net./", as DNS people write names) is the name the
// other nodes forward to: requests naming it, with or without the final
// dot, are served, and foreign names are still refused.
func TestFullyQualifiedAdvertiseHostIsServed(t *testing.T) {
	srv, _, _ := newTestServerWith(t, Options{ReadToken: readTok, OperateToken: operateTok, Hosts: []string{"n1.example.net."}})
	for host, want := range map[string]int{
		"n1.example.net.":      http.StatusOK,
		"N1.Example.Net:9797":  http.StatusOK,
		"n1.example.net.:9797": http.StatusOK,
		"n2.example.net.":      http.StatusMisdirectedRequest,
		"example.net.":         http.StatusMisdirectedRequest,
	} {
		code, _, body := send(t, "GET", srv.URL+"/api/v1/status", map[string]string{"Host": host, "Authorization": "Bearer " + readTok}, "")
		if code != want {
			t.Errorf("Host %s: %d %s, want %d", host, code, body, want)
		}
	}
}

// --accept-data-loss travels over the API as "accept_data_loss": a
// failover or failback that does not say it never accepts data loss.
func TestAcceptDataLossReachesTheRequest(t *testing.T) {
	srv, b, _ := newTestServer(t, readTok, operateTok)
	for _, tc := range []struct {
		path, body string
		want       bool
	}{
		{"/api/v1/failover", `{"service":"www"}`, false},
		{"/api/v1/failover", `{"service":"www","accept_data_loss":true}`, true},
		{"/api/v1/failback", `{"accept_data_loss":true}`, true},
	} {
		n := len(b.ran)
		if code, body := do(t, "POST", srv.URL+tc.path, operateTok, tc.body); code != http.StatusOK {
			t.Fatalf("POST %s %s: %d %s", tc.path, tc.body, code, body)
		}
		if len(b.ran) != n+1 || b.ran[n].AcceptDataLoss != tc.want {
			t.Fatalf("POST %s %s: ran %+v, want accept_data_loss %v", tc.path, tc.body, b.ran, tc.want)
		}
	}
}
