package health

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func compileTCP(c *config.TCPCheck, addr string) (probeFunc, error) {
	var expect *regexp.Regexp
	if c.Expect != "" {
		re, err := regexp.Compile(c.Expect)
		if err != nil {
			return nil, fmt.Errorf("expect: %w", err)
		}
		expect = re
	}
	send := []byte(c.Send)
	var d net.Dialer
	return func(ctx context.Context, start time.Time) outcome {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return errOutcome(ctx, start, "connect: ", err)
		}
		defer conn.Close()
		if dl, ok := ctx.Deadline(); ok {
			conn.SetDeadline(dl)
		}
		if len(send) > 0 {
			if _, err := conn.Write(send); err != nil {
				return errOutcome(ctx, start, "send: ", err)
			}
		}
		if expect == nil {
			return outcome{ok: true, reason: "connected"}
		}
		buf := make([]byte, 0, 4096)
		for len(buf) < 64<<10 {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := conn.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if expect.Match(buf) {
				return outcome{ok: true, reason: fmt.Sprintf("connected, reply matches /%s/", expect)}
			}
			if err != nil {
				return outcome{reason: fmt.Sprintf("reply %q does not match /%s/: %s", clip(buf, 80), expect, describeErr(err, timeoutOf(ctx, start)))}
			}
		}
		return outcome{reason: fmt.Sprintf("reply %q does not match /%s/", clip(buf, 80), expect)}
	}, nil
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
