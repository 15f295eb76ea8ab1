package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// The daemon as a process: one client address holding its share of
// connections has the next one closed at once, while another address is
// served; idle keep-alive connections are closed after idle_timeout.
func TestAPIConnectionCapsInTheDaemon(t *testing.T) {
	ip := testharness.LoopbackIP(t)
	port := testharness.FreePort(t, ip)
	w := newWorld(t, worldOptions{extra: fmt.Sprintf(`
server {
  listen                     = "%s:%d"
  max_connections_per_client = 3
  idle_timeout               = "1s"
}
`, ip, port)})
	w.startDaemon()
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", "http://"+addr+"/readyz", "", ""); return code == 200 })

	dial := func(from string) net.Conn {
		t.Helper()
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial from %s: %v", from, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ask := func(c net.Conn) error {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	closedWithin := func(c net.Conn, d time.Duration) bool {
		_ = c.SetReadDeadline(time.Now().Add(d))
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		return err != nil && !(errors.As(err, &ne) && ne.Timeout())
	}

	// The capped client has an address of its own: the test's other
	// requests come from 127.0.0.1.
	mine := testharness.LoopbackIP(t)
	var held []net.Conn
	for i := range 3 {
		c := dial(mine)
		if err := ask(c); err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		held = append(held, c)
	}
	start := time.Now()
	if !closedWithin(dial(mine), 3*time.Second) || time.Since(start) > 2*time.Second {
		t.Fatalf("the fourth connection from one address was not closed at once (%s)", time.Since(start))
	}
	other := testharness.LoopbackIP(t)
	if err := ask(dial(other)); err != nil {
		t.Fatalf("a client at %s is not served while %s is at its cap: %v", other, mine, err)
	}
	for i, c := range held {
		if !closedWithin(c, 5*time.Second) {
			t.Fatalf("idle connection %d not closed within 5s of idle_timeout 1s", i+1)
		}
	}
	waitFor(t, 10*time.Second, mine+" served again once its connections closed", func() bool { return ask(dial(mine)) == nil })
}
