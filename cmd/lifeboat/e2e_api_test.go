package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

const (
	e2eReadToken    = "e2e-read-token-5f0c1e9a"
	e2eOperateToken = "e2e-operate-token-b71d42c3"
)

// apiWorld is a world whose daemon serves HTTP on a loopback port, with
// its tokens from the environment.
func apiWorld(t *testing.T) (*world, string) {
	t.Helper()
	ip := testharness.LoopbackIP(t)
	addr := fmt.Sprintf("%s:%d", ip, testharness.FreePort(t, ip))
	w := newWorld(t, worldOptions{extra: fmt.Sprintf(`
server {
  listen        = %q
  read_token    = env("E2E_READ")
  operate_token = env("E2E_OPERATE")
}
`, addr)})
	w.extraEnv = append(w.extraEnv, "E2E_READ="+e2eReadToken, "E2E_OPERATE="+e2eOperateToken)
	return w, "http://" + addr
}

func call(t *testing.T, method, url, token, body string) (int, string) {
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
	c := &http.Client{Timeout: 3 * time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The API with the real server: POSTs without the operate token are
// refused and change nothing; with it, a failover runs end to end with
// real OpenTofu and BIND; the documents are the CLI's.
func TestAPIFailoverWithTokens(t *testing.T) {
	t.Parallel()
	w, base := apiWorld(t)
	w.startAlpha()
	d := w.startDaemon()
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", base+"/readyz", "", ""); return code == 200 })
	if code, _ := call(t, "GET", base+"/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()

	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", 401},
		{"read token", e2eReadToken, 403},
		{"wrong token", "e2e-operate-token-b71d42c4", 401},
	} {
		if code, body := call(t, "POST", base+"/api/v1/failover", c.token, `{}`); code != c.want {
			t.Fatalf("POST failover with %s: %d %s, want %d", c.name, code, body, c.want)
		}
	}
	if code, _ := call(t, "GET", base+"/api/v1/status", "", ""); code != 401 {
		t.Fatalf("GET status without a token: %d, want 401", code)
	}
	if ops := w.history(); len(ops) != 0 {
		t.Fatalf("a refused request ran something: %+v", ops)
	}
	if !w.answers(w.alphaIP) {
		t.Fatal("DNS changed before any accepted request")
	}

	code, body := call(t, "POST", base+"/api/v1/failover", e2eOperateToken, `{"service": "www"}`)
	var out struct {
		Executed bool
		Report   struct{ Operation string }
	}
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || !out.Executed {
		t.Fatalf("POST failover with the operate token: %d\n%s", code, body)
	}
	if !w.answers(w.bravoIP) {
		t.Fatal("BIND does not answer bravo after the API's failover")
	}

	code, body = call(t, "GET", base+"/api/v1/status", e2eReadToken, "")
	var st statusJSON
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil || len(st.Services) != 1 || st.Services[0].Placement != "bravo" {
		t.Fatalf("GET status: %d\n%s", code, body)
	}
	code, body = call(t, "GET", base+"/api/v1/operations/"+out.Report.Operation, e2eReadToken, "")
	if code != 200 || !strings.Contains(body, `"status": "succeeded"`) || !strings.Contains(body, "www/bravo/dns-cutover") {
		t.Fatalf("GET the operation: %d\n%s", code, body)
	}
	// The CLI's document and the API's are one definition.
	cli := w.lifeboat(nil, "history", "-o", "json", "--limit", "1")
	_, api := call(t, "GET", base+"/api/v1/operations?limit=1", e2eReadToken, "")
	if strings.TrimSpace(cli.stdout) != strings.TrimSpace(api) {
		t.Fatalf("history differs:\nCLI %s\nAPI %s", cli.stdout, api)
	}
	// The status page, as a browser asks for it (Basic auth).
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.SetBasicAuth("ops", e2eReadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"alpha", "bravo", "www", out.Report.Operation, "<meta http-equiv=\"refresh\""} {
		if resp.StatusCode != 200 || !strings.Contains(string(page), want) {
			t.Fatalf("status page: %d, lacks %q\n%s", resp.StatusCode, want, page)
		}
	}

	// The metrics count the failover and the checks, and parse.
	if code, _ := call(t, "GET", base+"/metrics", "", ""); code != 401 {
		t.Fatalf("GET /metrics without a token: %d", code)
	}
	code, body = call(t, "GET", base+"/metrics", e2eReadToken, "")
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if code != 200 || err != nil {
		t.Fatalf("GET /metrics: %d %v", code, err)
	}
	if !hasSample(families["lifeboat_operations_total"], map[string]string{"kind": "manual", "result": "succeeded"}, 1) {
		t.Fatalf("lifeboat_operations_total does not count the failover:\n%s", body)
	}
	if f := families["lifeboat_checks_total"]; f == nil || len(f.Metric) == 0 {
		t.Fatal("no lifeboat_checks_total")
	}
	code, body = call(t, "POST", base+"/api/v1/hold", e2eOperateToken, `{"on": true, "reason": "api test"}`)
	if code != 200 || !strings.Contains(body, `"on": true`) {
		t.Fatalf("POST hold: %d %s", code, body)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
	for _, tok := range []string{e2eReadToken, e2eOperateToken, "b71d42c4"} {
		if strings.Contains(d.out.String(), tok) {
			t.Fatalf("a token reached the daemon's log")
		}
	}
	if !strings.Contains(d.out.String(), "http request refused") {
		t.Fatal("refused requests are not logged")
	}
}

// hasSample reports whether a family has a sample with these labels and value.
func hasSample(f *dto.MetricFamily, labels map[string]string, value float64) bool {
	if f == nil {
		return false
	}
	for _, m := range f.Metric {
		match := 0
		for _, l := range m.Label {
			if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
				match++
			}
		}
		if match != len(labels) {
			continue
		}
		switch {
		case m.Counter != nil && m.Counter.GetValue() == value, m.Gauge != nil && m.Gauge.GetValue() == value:
			return true
		}
	}
	return false
}
