package journal

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// EtcdClock is what one etcd member's clock was seen to be.
type EtcdClock struct {
	Endpoint string
	// Skew is the least this machine's clock can be off from the member's
	// (zero when within what the measurement can tell); positive when
	// this machine is ahead.
	Skew time.Duration
	// RTT is the round trip of the request.
	RTT time.Duration
}

// EtcdClocks compares this machine's clock with each etcd member's. The
// gRPC API reports no time, so it reads the Date header of the member's
// HTTP /version on the client port: whole seconds, so a skew is reported
// only where it is certain, by at least the header's second and half the
// round trip.
func EtcdClocks(ctx context.Context, e *config.Etcd, timeout time.Duration) ([]EtcdClock, error) {
	tlsCfg, err := etcdTLS(e)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	defer client.CloseIdleConnections()
	var out []EtcdClock
	for _, ep := range e.Endpoints {
		url := ep
		if !strings.Contains(url, "://") {
			url = "http://" + url
			if tlsCfg != nil {
				url = "https://" + ep
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/version", nil)
		if err != nil {
			return out, fmt.Errorf("etcd endpoint %s: %w", ep, err)
		}
		sent := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return out, fmt.Errorf("etcd endpoint %s: %w", ep, err)
		}
		got := time.Now()
		resp.Body.Close()
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			return out, fmt.Errorf("etcd endpoint %s: no Date header to read its clock from: %w", ep, err)
		}
		out = append(out, EtcdClock{Endpoint: ep, RTT: got.Sub(sent), Skew: ClockSkew(sent, got, date)})
	}
	return out, nil
}

// ClockSkew is the least skew certain from a request sent and answered at
// local times sent and got, whose answer's Date header (truncated to the
// second) said date: the member's clock read somewhere in [date,
// date+1s) at some instant between sent and got. Positive: this machine
// is ahead.
func ClockSkew(sent, got, date time.Time) time.Duration {
	// The local clock ran from sent to got while the member's read
	// [date, date+1s): the skew lies in [sent-(date+1s), got-date].
	lo, hi := sent.Sub(date.Add(time.Second)), got.Sub(date)
	switch {
	case lo > 0:
		return lo
	case hi < 0:
		return hi
	}
	return 0
}
