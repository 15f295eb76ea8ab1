package httpapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// askHealthz sends one keep-alive request on c and reads the answer.
func askHealthz(c net.Conn) error {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	return nil
}

// closedWithin says whether the server closes c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// Over real loopback TCP: one client address cannot hold more than its
// share of connections (the next is closed at once) while another
// address is still served; the total cap holds too; idle keep-alive
// connections are closed after idle_timeout, and their places come back.
func TestConnectionCapsAndIdleTimeout(t *testing.T) {
	const perClient, total, idle = 3, 5, 400 * time.Millisecond
	l, err := Listen(&config.Server{Listen: "127.0.0.1:0", MaxConnections: total, MaxConnectionsPerClient: perClient}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, l, New(&fakeBackend{}, Options{}), idle, time.Second, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { cancel(); <-done })
	addr := l.Addr().String()
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

	var held []net.Conn
	for i := range perClient {
		c := dial("127.0.0.1")
		if err := askHealthz(c); err != nil {
			t.Fatalf("connection %d within the cap: %v", i+1, err)
		}
		held = append(held, c)
	}
	start := time.Now()
	extra := dial("127.0.0.1")
	if !closedWithin(extra, 2*time.Second) {
		t.Fatal("a connection over the per-client cap was kept open")
	}
	if time.Since(start) > time.Second {
		t.Fatalf("refusing took %s", time.Since(start))
	}
	other := dial("127.0.0.2")
	if err := askHealthz(other); err != nil {
		t.Fatalf("another client address is not served while the first is at its cap: %v", err)
	}
	third := dial("127.0.0.3")
	if err := askHealthz(third); err != nil {
		t.Fatalf("third client: %v", err)
	}
	// 3 + 1 + 1 = the total cap: a fresh address is refused too.
	if !closedWithin(dial("127.0.0.4"), 2*time.Second) {
		t.Fatal("a connection over the total cap was kept open")
	}

	// Idle keep-alive connections are closed after idle_timeout.
	for i, c := range held {
		if !closedWithin(c, idle+3*time.Second) {
			t.Fatalf("idle connection %d still open after %s", i+1, idle+3*time.Second)
		}
	}
	// Their places are free again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dial("127.0.0.1")
		if askHealthz(c) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("closed connections did not give their places back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
