package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// request is what a test receiver got.
type request struct {
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is an httptest server on loopback that records every request
// and answers with respond (200 when nil).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []request
	arrived chan struct{} // one value per request, never blocks the handler
	respond func(rw http.ResponseWriter, r *http.Request, n int)
}

func newReceiver(t *testing.T, respond func(rw http.ResponseWriter, r *http.Request, n int)) *receiver {
	t.Helper()
	rc := &receiver{arrived: make(chan struct{}, 100), respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, request{path: r.URL.Path, header: r.Header.Clone(), body: b, at: time.Now()})
		n := len(rc.got)
		rc.mu.Unlock()
		select {
		case rc.arrived <- struct{}{}:
		default:
		}
		if rc.respond != nil {
			rc.respond(rw, r, n)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.got...)
}

// events are the event names of the JSON bodies received, in order.
func (rc *receiver) events(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range rc.requests() {
		var ev struct{ Event string }
		if err := json.Unmarshal(r.body, &ev); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, r.body)
		}
		out = append(out, ev.Event)
	}
	return out
}

// wait waits for the receiver's next request, at most d.
func (rc *receiver) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-rc.arrived:
	case <-time.After(d):
		t.Fatalf("no request within %s", d)
	}
}

func hookBlock(name, url string, events ...string) *config.Notify {
	return &config.Notify{Name: name, Webhook: &config.Webhook{URL: url}, Events: events, Timeout: 5 * time.Second, Retries: 0}
}

func slackNotify(name, url string, events ...string) *config.Notify {
	return &config.Notify{Name: name, Slack: &config.Slack{URL: url}, Events: events, Timeout: 5 * time.Second, Retries: 0}
}

// logBuffer captures every log record, debug included, as JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// closeNotifier closes n at the end of the test, bounded.
func closeNotifier(t *testing.T, n *Notifier) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Close(ctx)
	})
}

func flush(t *testing.T, n *Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}
