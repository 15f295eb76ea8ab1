package journal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestClockSkew(t *testing.T) {
	base := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		sent, got time.Duration // after base
		date      time.Duration // after base, whole seconds
		want      time.Duration
	}{
		{"same second", 100 * time.Millisecond, 150 * time.Millisecond, 0, 0},
		{"header truncated, not skewed", 900 * time.Millisecond, 1100 * time.Millisecond, time.Second, 0},
		{"this machine ahead by 3s", 5*time.Second + 500*time.Millisecond, 5*time.Second + 600*time.Millisecond, 2 * time.Second, 2*time.Second + 500*time.Millisecond},
		{"this machine behind by 2s", 100 * time.Millisecond, 200 * time.Millisecond, 2 * time.Second, -1800 * time.Millisecond},
		{"a slow round trip hides it", 0, 4 * time.Second, 2 * time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ClockSkew(base.Add(c.sent), base.Add(c.got), base.Add(c.date))
			if got != c.want {
				t.Fatalf("ClockSkew = %s, want %s", got, c.want)
			}
		})
	}
}

// A member whose Date header is 5s ahead is seen as skewed; one with the
// server's own Date is not.
func TestEtcdClocksReadsTheDateHeader(t *testing.T) {
	var ahead atomic.Int64 // nanoseconds
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		if d := time.Duration(ahead.Load()); d != 0 {
			w.Header().Set("Date", time.Now().Add(d).UTC().Format(http.TimeFormat))
		}
		w.Write([]byte(`{"etcdserver":"3.5.0"}`))
	}))
	defer srv.Close()
	e := &config.Etcd{Endpoints: []string{srv.URL}}
	clocks, err := EtcdClocks(context.Background(), e, time.Second)
	if err != nil || len(clocks) != 1 || clocks[0].Skew != 0 {
		t.Fatalf("in step: %+v, %v", clocks, err)
	}
	ahead.Store(int64(5 * time.Second))
	clocks, err = EtcdClocks(context.Background(), e, time.Second)
	if err != nil || len(clocks) != 1 || clocks[0].Skew > -3*time.Second {
		t.Fatalf("member 5s ahead: %+v, %v", clocks, err)
	}
}
