package health

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// hostileHTTP answers every request on a real loopback socket with what
// answer writes, then closes.
func hostileHTTP(t *testing.T, answer func(w *bufio.Writer)) string {
	t.Helper()
	return serveTCP(t, func(c net.Conn) {
		go func() {
			defer c.Close()
			_, _ = http.ReadRequest(bufio.NewReader(c))
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			w := bufio.NewWriterSize(c, 64<<10)
			answer(w)
			_ = w.Flush()
		}()
	})
}

// A target sending a 9 MiB header, a 9 MiB status line or a huge body
// fails its check with a short reason: nothing it sends is quoted whole.
func TestHostileTargetReasonsStaySmall(t *testing.T) {
	big := strings.Repeat("A", 9<<20)
	cases := []struct {
		name   string
		answer func(w *bufio.Writer)
		check  config.HTTPCheck
	}{
		{"9 MiB header quoted by expect_headers", func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 0\r\n\r\n")
		}, config.HTTPCheck{ExpectHeaders: map[string]string{"X-Big": "^small$"}}},
		{"9 MiB status line", func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 599 " + big + "\r\nContent-Length: 0\r\n\r\n")
		}, config.HTTPCheck{}},
		{"huge body against body_regex", func(w *bufio.Writer) {
			w.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 9437184\r\n\r\n" + big)
		}, config.HTTPCheck{BodyRegex: "^nomatch$"}},
	}
	p := NewProbers(ProberOptions{})
	defer p.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := hostileHTTP(t, c.answer)
			h := c.check
			h.URL, h.Method = "http://"+addr+"/", "GET"
			chk := httpCheck(&h)
			chk.Timeout = 5 * time.Second
			r := probeOnce(t, p, chk)
			if r.OK {
				t.Fatalf("passed: %q", r.Reason)
			}
			if len(r.Reason) > MaxReason || len(r.Warning) > MaxReason {
				t.Fatalf("reason of %d bytes (want at most %d): %.200q", len(r.Reason), MaxReason, r.Reason)
			}
			t.Logf("reason: %s", r.Reason)
		})
	}
}

// A literal URL's password and query (an API key) are shown neither as
// the target nor in a reason.
func TestLiteralURLRedacted(t *testing.T) {
	addr := hostileHTTP(t, func(w *bufio.Writer) {
		w.WriteString("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/next?api_key=sekrit-key-123\r\nContent-Length: 0\r\n\r\n")
	})
	p := NewProbers(ProberOptions{})
	defer p.Close()
	h := &config.HTTPCheck{URL: "http://probe:hunter2-pass@" + addr + "/health?api_key=sekrit-key-123", Method: "GET",
		FollowRedirects: true, MaxRedirects: 3}
	r := probeOnce(t, p, httpCheck(h))
	for _, s := range []string{"hunter2-pass", "sekrit-key-123"} {
		if strings.Contains(r.Target, s) || strings.Contains(r.Reason, s) {
			t.Fatalf("%q shown: target %q reason %q", s, r.Target, r.Reason)
		}
	}
	if !strings.Contains(r.Target, addr+"/health") {
		t.Fatalf("target %q no longer says where the check goes", r.Target)
	}
}
