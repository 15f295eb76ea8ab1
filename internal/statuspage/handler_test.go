package statuspage

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func get(t *testing.T, h http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res, string(body)
}

func testOptions() Options {
	return Options{Now: func() time.Time { return fixtureNow }, Logger: slog.New(slog.DiscardHandler)}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestPageShowsStatus(t *testing.T) {
	src := fixture()
	res, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200:\n%s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	mustContain(t, body,
		// providers, with the state in words and colour, and their checks
		`alpha <span class="badge bad">account lost</span>`,
		`bravo <span class="badge good">healthy</span>`,
		"API says the account is suspended", "state since 17 minutes ago",
		"www/home", "connection refused", "2.3 ms", "41 ms", `<span class="badge good">pass</span>`,
		// placement, and the state of the provider each service is on
		"<h3>www</h3>\n<p>Runs on <strong>bravo</strong>: <span class=\"badge good\">healthy</span>",
		"<h3>api</h3>\n<p>Runs on <strong>alpha</strong>: <span class=\"badge bad\">account lost</span>",
		"its first candidate", "127.0.0.12",
		// DNS
		"ns-local", "example.test.", "SOA serial 42",
		// the daemon's switches and what runs now
		`Automatic failover: <span class="badge good">on</span>`,
		`Hold switch: <span class="badge warn">on: no automatic failover</span> — database maintenance`,
		"idle</span> nothing", "weekly-canary", "0 3 * * 1",
		// what the daemon holds back, and what to type
		`Held back: <span class="badge bad">not acting</span> held back from failing over api on alpha: the hold switch is on; `+"`lifeboat hold off` or `lifeboat failover` to act",
		// records lowered pre-emptively
		`<span class="badge warn">emergency TTL</span> charlie&#39;s records (docs), at risk since`, "docs.example.test. A at ns-local: 3600s -&gt; 30s",
		// the last operation with its timeline
		"op-0002", "www moved from alpha to bravo", "from alpha to bravo", "took 5.2s",
		"<code>www/bravo/apply</code> <span class=\"badge good\">ok</span> <span class=\"muted\">at +40ms, took 2.1s",
		"<code>www/bravo/verify-dns</code>", "(attempt 2)", "apply: quota exceeded",
		// drills: outcome and recovery time, the age of the last passed one
		`<span class="badge good">passed</span>`, "4.2s", `<span class="badge bad">failed</span>`,
		"6 days ago (canary drill weekly-canary)",
		`<span class="flag">no passed drill on record — overdue`,
		// when, and how it stays fresh and readable on a phone
		"2026-11-28 12:00:00 UTC",
		`<meta http-equiv="refresh" content="10">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"@media (max-width:600px){.grid{grid-template-columns:1fr}",
	)
	// www's drill passed 6 days ago: not overdue.
	if i := strings.Index(body, "<h3>www</h3>"); i < 0 || strings.Contains(body[i:strings.Index(body, "<h3>api</h3>")], "overdue") {
		t.Errorf("www's 6-day-old drill is flagged overdue")
	}
	for _, bad := range []string{"<script", "<link", " src=", "<img", "@import", "url("} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q: it must load nothing and run no script", bad)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if got := src.limits; len(got) != 2 || got[0] != historyLimit || got[1] != drillsRead {
		t.Errorf("limits asked of the source %v, want [%d %d]", got, historyLimit, drillsRead)
	}
}

func TestPageEscapesHostileNames(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	const attr = `"><img src=x onerror=alert(1)>`
	src := fixture()
	src.doc.Providers[0].Name = evil
	src.doc.Providers[0].Checks[0].Reason = attr
	src.doc.Services[0].Name = evil
	src.doc.Services[0].Placement = attr
	src.doc.DNS[0].Zone = evil
	src.doc.Daemon.HoldReason = attr
	src.doc.Daemon.Running = evil
	src.doc.Warnings = []string{evil}
	src.ops[0].Steps[1].ID = evil
	src.ops[0].Steps[1].Error = attr
	src.drills[0].Name = evil
	src.drills[0].Failures = []string{attr}

	res, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	for _, raw := range []string{"<script", "<img"} {
		if strings.Contains(body, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	mustContain(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")
	// Put as provider, service, zone, running, warning, step and drill name.
	if n := strings.Count(body, "&lt;script&gt;"); n != 7 {
		t.Errorf("the hostile name appears escaped %d times, want once for each of the 7 places it was put", n)
	}
}

func TestSourceErrorIs503(t *testing.T) {
	const secret = "token=hunter2 at /etc/lifeboat/secret.hcl"
	cases := []struct {
		name string
		set  func(*fakeSource)
		want string
	}{
		{"status", func(f *fakeSource) { f.statusErr = errors.New(secret) }, "could not read the providers&#39; status: it failed."},
		{"nil status", func(f *fakeSource) { f.doc = nil }, "could not read the providers&#39; status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := fixture()
			c.set(src)
			var logged bytes.Buffer
			opts := testOptions()
			opts.Logger = slog.New(slog.NewTextHandler(&logged, nil))
			res, body := get(t, Handler(src, opts), http.MethodGet, "/")
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", res.StatusCode)
			}
			mustContain(t, body, c.want, "lifeboat status: unavailable", `<meta http-equiv="refresh" content="10">`)
			for _, leak := range []string{"hunter2", "secret.hcl", "goroutine", ".go:"} {
				if strings.Contains(body, leak) {
					t.Errorf("error page shows %q", leak)
				}
			}
			// The operator finds the error itself in the log.
			if !strings.Contains(logged.String(), "status page unavailable") {
				t.Errorf("nothing logged: %q", logged.String())
			}
			if res.Header.Get("Retry-After") != "10" {
				t.Errorf("Retry-After %q, want 10", res.Header.Get("Retry-After"))
			}
		})
	}
}

// Without the history or the drill reports the page still shows the
// providers and says what is missing, without the error's text.
func TestJournalErrorStillShowsStatus(t *testing.T) {
	const secret = "token=hunter2 at /etc/lifeboat/secret.hcl"
	for name, set := range map[string]func(*fakeSource){
		"history": func(f *fakeSource) { f.historyErr = errors.New(secret) },
		"drills":  func(f *fakeSource) { f.drErr = errors.New(secret) },
	} {
		t.Run(name, func(t *testing.T) {
			src := fixture()
			set(src)
			var logged bytes.Buffer
			opts := testOptions()
			opts.Logger = slog.New(slog.NewTextHandler(&logged, nil))
			res, body := get(t, Handler(src, opts), http.MethodGet, "/")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			mustContain(t, body, "could not be read just now", src.doc.Providers[0].Name)
			if strings.Contains(body, "hunter2") || strings.Contains(body, "secret.hcl") {
				t.Errorf("the page shows the error's text")
			}
			if !strings.Contains(logged.String(), "hunter2") {
				t.Errorf("the error is not in the log: %q", logged.String())
			}
			if len(src.doc.Warnings) != 0 {
				t.Errorf("the source's document was changed: %v", src.doc.Warnings)
			}
		})
	}
}

func TestSourceTimeoutIs503(t *testing.T) {
	src := fixture()
	src.block, src.blockMax = true, 5*time.Second
	opts := testOptions()
	opts.Timeout = 50 * time.Millisecond
	start := time.Now()
	res, body := get(t, Handler(src, opts), http.MethodGet, "/")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s: the timeout did not bound the read", took)
	}
	mustContain(t, body, "did not answer within 50ms")
}

func TestPathsAndMethods(t *testing.T) {
	h := Handler(fixture(), testOptions())
	if res, _ := get(t, h, http.MethodGet, "/status"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /status: %d, want 404", res.StatusCode)
	}
	res, _ := get(t, h, http.MethodPost, "/")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d Allow %q, want 405 GET, HEAD", res.StatusCode, res.Header.Get("Allow"))
	}
	res, body := get(t, h, http.MethodHead, "/")
	if res.StatusCode != http.StatusOK || body != "" || res.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD /: %d, %d body bytes, Content-Length %q; want 200, none, set", res.StatusCode, len(body), res.Header.Get("Content-Length"))
	}
}

func TestRefreshOption(t *testing.T) {
	opts := testOptions()
	opts.Refresh = 30 * time.Second
	_, body := get(t, Handler(fixture(), opts), http.MethodGet, "/")
	mustContain(t, body, `<meta http-equiv="refresh" content="30">`, "reloads every 30 s")
}

func TestRunningOperation(t *testing.T) {
	src := fixture()
	src.ops[0].Status, src.ops[0].Finished = wire.StatusRunning, time.Time{}
	src.doc.Daemon.Running = "automatic failover of www"
	_, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	mustContain(t, body, `<span class="badge warn">busy</span> automatic failover of www`, `<span class="badge warn">running</span>`)

	src.doc.Daemon.Running = ""
	_, body = get(t, Handler(src, testOptions()), http.MethodGet, "/")
	mustContain(t, body, `<span class="badge bad">unfinished</span>`)
}

func TestNoDaemonNoData(t *testing.T) {
	src := &fakeSource{doc: &wire.StatusDoc{Providers: []wire.StatusProvider{{Name: "solo", State: health.StateUnknown}}}}
	res, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	mustContain(t, body, "No daemon answered", `solo <span class="badge neutral">unknown</span>`,
		"No operation in the journal.", "No drill report in the journal.", "No services in the configuration.")
}
