package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

const (
	readTok    = "read-0123456789abcdef"
	operateTok = "operate-0123456789abcdef"
)

// fakeBackend records what reached it; the API's own logic is under test.
type fakeBackend struct {
	mu      sync.Mutex
	ran     []wire.Request
	holds   []control.HoldChange
	planErr error
	runErr  error
}

func (f *fakeBackend) Status(context.Context) (*wire.StatusDoc, error) {
	return &wire.StatusDoc{Config: "x.hcl"}, nil
}
func (f *fakeBackend) Operations(context.Context, int) (wire.HistoryDoc, error) {
	return wire.HistoryDoc{}, nil
}
func (f *fakeBackend) Operation(_ context.Context, id string) (journal.Operation, error) {
	if id == "00000001" {
		return journal.Operation{ID: id}, nil
	}
	return journal.Operation{}, fmt.Errorf("operation %s: %w", id, journal.ErrNotFound)
}
func (f *fakeBackend) Drills(context.Context, int) (wire.DrillsDoc, error) {
	return wire.DrillsDoc{}, nil
}
func (f *fakeBackend) Decisions(context.Context, int) (wire.DecisionsDoc, error) {
	return wire.DecisionsDoc{}, nil
}
func (f *fakeBackend) Plan(_ context.Context, req wire.Request, _ func(wire.Event)) (wire.Outcome, error) {
	return wire.Outcome{Message: string(req.Kind) + ":" + req.Service}, f.planErr
}
func (f *fakeBackend) Operate(_ context.Context, req wire.Request, _ engine.Hooks, _ string) (wire.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, req)
	return wire.Outcome{Executed: true}, f.runErr
}
func (f *fakeBackend) RunDrill(context.Context, string, func(wire.Event), string) (wire.DrillReport, error) {
	return wire.DrillReport{}, nil
}
func (f *fakeBackend) Hold(_ context.Context, c *control.HoldChange, _ string) (control.HoldState, error) {
	if c == nil {
		return control.HoldState{}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = append(f.holds, *c)
	return control.HoldState{On: c.On, Reason: c.Reason}, nil
}
func (f *fakeBackend) Ready() error { return nil }

func newTestServer(t *testing.T, read, operate string) (*httptest.Server, *fakeBackend, *bytes.Buffer) {
	t.Helper()
	return newTestServerWith(t, Options{ReadToken: read, OperateToken: operate})
}

func newTestServerWith(t *testing.T, o Options) (*httptest.Server, *fakeBackend, *bytes.Buffer) {
	t.Helper()
	b := &fakeBackend{}
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) }), nil))
	o.Logger, o.MaxBody = log, 1024
	o.Page = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>page</html>") })
	srv := httptest.NewServer(New(b, o))
	t.Cleanup(srv.Close)
	return srv, b, &logs
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func do(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPostNeedsTheOperateToken(t *testing.T) {
	srv, b, logs := newTestServer(t, readTok, operateTok)
	cases := []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"read token", readTok, http.StatusForbidden},
		{"wrong token", "operate-0123456789abcdeX", http.StatusUnauthorized},
		{"operate token", operateTok, http.StatusOK},
	}
	for _, c := range cases {
		code, body := do(t, "POST", srv.URL+"/api/v1/failover", c.token, `{"service":"www"}`)
		if code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.want)
		}
	}
	if len(b.ran) != 1 || b.ran[0].Kind != planner.KindManual || b.ran[0].Service != "www" {
		t.Fatalf("operations that reached the daemon: %+v (only the one with the operate token may)", b.ran)
	}
	if strings.Contains(logs.String(), readTok) || strings.Contains(logs.String(), "0123456789abcdeX") {
		t.Fatalf("a token was logged:\n%s", logs.String())
	}
	if strings.Count(logs.String(), "http request refused") != 3 {
		t.Fatalf("each refusal must be logged:\n%s", logs.String())
	}
}

func TestReadingNeedsTheReadTokenWhenSet(t *testing.T) {
	srv, _, _ := newTestServer(t, readTok, operateTok)
	for _, path := range []string{"/api/v1/status", "/api/v1/operations", "/api/v1/drills", "/api/v1/decisions", "/api/v1/plan", "/api/v1/hold", "/"} {
		if code, _ := do(t, "GET", srv.URL+path, "", ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d, want 401", path, code)
		}
		for _, tok := range []string{readTok, operateTok} {
			if code, body := do(t, "GET", srv.URL+path, tok, ""); code != http.StatusOK {
				t.Errorf("GET %s with a valid token: %d %s", path, code, body)
			}
		}
	}
	// A browser sends the token as the Basic password.
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.SetBasicAuth("anyone", readTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Basic auth with the read token: %d", resp.StatusCode)
	}
	if code, _ := do(t, "GET", srv.URL+"/healthz", "", ""); code != http.StatusOK {
		t.Fatalf("/healthz must not need a token: %d", code)
	}
}

func TestOpenReadingButNoOperateToken(t *testing.T) {
	srv, b, _ := newTestServer(t, "", "")
	if code, _ := do(t, "GET", srv.URL+"/api/v1/status", "", ""); code != http.StatusOK {
		t.Fatalf("reading without a read token configured: %d", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/api/v1/status", "some-wrong-token-xyz", ""); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token must be refused, not ignored: %d", code)
	}
	code, body := do(t, "POST", srv.URL+"/api/v1/hold", "anything-at-all-here", `{"on":true}`)
	if code != http.StatusForbidden || !strings.Contains(body, "no operate_token") {
		t.Fatalf("POST without an operate token configured: %d %s", code, body)
	}
	if len(b.ran) != 0 {
		t.Fatal("an operation ran")
	}
}

func TestBodiesAreCappedAndStrict(t *testing.T) {
	srv, b, _ := newTestServer(t, readTok, operateTok)
	big := fmt.Sprintf(`{"service":%q}`, strings.Repeat("x", 4096))
	if code, _ := do(t, "POST", srv.URL+"/api/v1/failover", operateTok, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the cap: %d, want 413", code)
	}
	if code, _ := do(t, "POST", srv.URL+"/api/v1/failover", operateTok, `{"servcie":"www"}`); code != http.StatusBadRequest {
		t.Errorf("an unknown field: %d, want 400", code)
	}
	if code, _ := do(t, "POST", srv.URL+"/api/v1/failback", operateTok, `{"to":"bravo"}`); code != http.StatusBadRequest {
		t.Errorf("failback with a target: %d, want 400", code)
	}
	if len(b.ran) != 0 {
		t.Fatalf("a refused body still ran: %+v", b.ran)
	}
}

func TestErrorsMapToStatusCodes(t *testing.T) {
	srv, b, _ := newTestServer(t, readTok, operateTok)
	for _, c := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("x: %w", engine.ErrInvalidRequest), http.StatusBadRequest},
		{fmt.Errorf("x: %w", engine.ErrBlocked), http.StatusConflict},
		{fmt.Errorf("x: %w", control.ErrBusy), http.StatusConflict},
		{fmt.Errorf("apply failed"), http.StatusInternalServerError},
	} {
		b.runErr = c.err
		code, body := do(t, "POST", srv.URL+"/api/v1/failover", operateTok, `{}`)
		var doc struct {
			Error  string
			Result *wire.Outcome
		}
		if code != c.want || json.Unmarshal([]byte(body), &doc) != nil || doc.Error != c.err.Error() || doc.Result == nil || !doc.Result.Executed {
			t.Errorf("%v: %d %s, want %d with the error and the outcome", c.err, code, body, c.want)
		}
	}
	b.planErr = fmt.Errorf("x: %w", engine.ErrBlocked)
	if code, body := do(t, "GET", srv.URL+"/api/v1/plan?service=www&failback=1", readTok, ""); code != http.StatusOK || !strings.Contains(body, "failback:www") {
		t.Fatalf("a blocked plan is still an answer: %d %s", code, body)
	}
}

func TestBadLimitIsRefused(t *testing.T) {
	srv, _, _ := newTestServer(t, readTok, operateTok)
	for _, path := range []string{"/api/v1/operations?limit=-1", "/api/v1/drills?limit=x", "/api/v1/decisions?limit=1.5"} {
		if code, _ := do(t, "GET", srv.URL+path, readTok, ""); code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", path, code)
		}
	}
	if code, _ := do(t, "GET", srv.URL+"/api/v1/operations/none", readTok, ""); code != http.StatusNotFound {
		t.Errorf("an unknown operation: %d, want 404", code)
	}
	if code, body := do(t, "GET", srv.URL+"/api/v1/operations/00000001", readTok, ""); code != http.StatusOK || !strings.Contains(body, `"id": "00000001"`) {
		t.Errorf("a known operation: %d %s", code, body)
	}
}
