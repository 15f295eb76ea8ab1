package health

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// greeter answers each line with "PONG <line>".
func greeter(t *testing.T) string {
	return serveTCP(t, func(c net.Conn) {
		go func() {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Write([]byte("PONG " + line))
			c.Close()
		}()
	})
}

func TestTCPProber(t *testing.T) {
	addr := greeter(t)
	_, port, _ := net.SplitHostPort(addr)
	var portN int
	for _, c := range port {
		portN = portN*10 + int(c-'0')
	}
	cases := []struct {
		name   string
		check  *config.TCPCheck
		addrs  []string
		ok     bool
		reason string
	}{
		{name: "connect", check: &config.TCPCheck{Address: addr}, ok: true, reason: "connected"},
		{name: "port on address", check: &config.TCPCheck{Port: portN}, addrs: []string{"127.0.0.1"}, ok: true, reason: "connected"},
		{name: "send and expect", check: &config.TCPCheck{Address: addr, Send: "PING\n", Expect: "^PONG PING"}, ok: true, reason: "reply matches /^PONG PING/"},
		{name: "unexpected reply", check: &config.TCPCheck{Address: addr, Send: "HELLO\n", Expect: "^PONG PING"}, reason: `reply "PONG HELLO\n" does not match /^PONG PING/`},
		{name: "silent server", check: &config.TCPCheck{Address: silentListener(t), Expect: "ready"}, reason: "no answer within 500ms"},
		{name: "refused", check: &config.TCPCheck{Address: refusedAddr(t)}, reason: "connect: connection refused"},
	}
	p := NewProbers(ProberOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, p, &config.Check{Name: "tcp", TCP: tc.check, Timeout: 500 * time.Millisecond}, tc.addrs...)
			if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v reason %q; want ok=%v reason containing %q", r.OK, r.Reason, tc.ok, tc.reason)
			}
		})
	}
}

func TestExecProber(t *testing.T) {
	cases := []struct {
		name   string
		check  *config.ExecCheck
		ok     bool
		reason string
	}{
		{name: "exit 0", check: &config.ExecCheck{Command: []string{"true"}}, ok: true, reason: "exit 0"},
		{name: "exit 3 with output", check: &config.ExecCheck{Command: []string{"sh", "-c", "echo starting; echo backend gone >&2; exit 3"}}, reason: "exit status 3: backend gone"},
		{name: "env passed", check: &config.ExecCheck{Command: []string{"sh", "-c", `test "$PROBE_MODE" = deep`}, Env: map[string]string{"PROBE_MODE": "deep"}}, ok: true, reason: "exit 0"},
		{name: "timeout", check: &config.ExecCheck{Command: []string{"sleep", "5"}}, reason: "no exit within 300ms"},
		{name: "missing command", check: &config.ExecCheck{Command: []string{"./no-such-probe-command"}}, reason: "cannot run"},
	}
	p := NewProbers(ProberOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := probeOnce(t, p, &config.Check{Name: "exec", Exec: tc.check, Timeout: 300 * time.Millisecond})
			if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v reason %q; want ok=%v reason containing %q", r.OK, r.Reason, tc.ok, tc.reason)
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("probe took %s, beyond its timeout", time.Since(start))
			}
		})
	}
}
