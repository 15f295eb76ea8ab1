package health

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// leaks names the fields of r that contain secret.
func leaks(r Result, secret string) []string {
	var out []string
	for name, v := range map[string]string{"target": r.Target, "reason": r.Reason, "warning": r.Warning} {
		if strings.Contains(v, secret) {
			out = append(out, name)
		}
	}
	return out
}

func TestRedactOptionScrubsReasonAndTarget(t *testing.T) {
	const secret = "sEcReT-42"
	srv := startRecorder(t, testharness.LoopbackIP(t), func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nothing here", http.StatusNotFound)
	})
	redact := func(s string) string { return strings.ReplaceAll(s, secret, "<hidden>") }
	p := NewProbers(ProberOptions{Redact: redact})
	t.Cleanup(p.Close)
	checks := []*config.Check{
		{Name: "web", Timeout: 2 * time.Second, HTTP: &config.HTTPCheck{URL: srv.srv.URL + "/" + secret}},
		{Name: "script", Timeout: 2 * time.Second, Exec: &config.ExecCheck{Command: []string{"sh", "-c", "echo failed with " + secret + "; exit 1"}}},
		{Name: "tcp", Timeout: 2 * time.Second, TCP: &config.TCPCheck{Address: greeter(t), Send: "HELLO\n", Expect: secret}},
	}
	for _, c := range checks {
		r := probeOnce(t, p, c)
		if l := leaks(r, secret); len(l) > 0 {
			t.Errorf("%s: secret in %v: %+v", c.Name, l, r)
		}
	}
	r := probeOnce(t, p, checks[0])
	if r.Target != srv.srv.URL+"/<hidden>" || r.Reason != "status 404 Not Found, want 200-399" {
		t.Errorf("http: %+v", r)
	}
	if r := probeOnce(t, p, checks[1]); r.Reason != "exit status 1: failed with <hidden>" {
		t.Errorf("exec: %+v", r)
	}
	if r := probeOnce(t, p, checks[2]); !strings.Contains(r.Reason, "does not match /<hidden>/") {
		t.Errorf("tcp: %+v", r)
	}
}

// A url from env() or file() is never shown: the target names the check,
// and errors that quote the URL or a redirect built from it lose it.
func TestHTTPSecretURL(t *testing.T) {
	const pathSecret, querySecret = "h00k-path-1d", "q7oken99"
	srv := startRecorder(t, testharness.LoopbackIP(t), func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/loop"):
			http.Redirect(w, r, strings.TrimSuffix(r.URL.Path, "/loop"), http.StatusFound)
		case strings.HasSuffix(r.URL.Path, "/bad-location"):
			// A Location that echoes the path and does not parse: net/http quotes it.
			w.Header().Set("Location", r.URL.Path+"/%zz")
			w.WriteHeader(http.StatusFound)
		default:
			http.Redirect(w, r, r.URL.Path+"/loop", http.StatusFound)
		}
	})
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	secretCheck := func(url string) *config.Check {
		return &config.Check{Name: "hook", Timeout: 2 * time.Second, HTTP: &config.HTTPCheck{
			URL: url, URLSecret: true, FollowRedirects: true, MaxRedirects: 10,
		}}
	}
	base := srv.srv.URL + "/" + pathSecret
	cases := []struct {
		name, url, reason string
	}{
		{name: "redirect loop", url: base + "?t=" + querySecret, reason: "redirect loop"},
		{name: "unparsable Location", url: base + "/bad-location", reason: "failed to parse Location header"},
		{name: "refused", url: "http://" + refusedAddr(t) + "/" + pathSecret + "?t=" + querySecret, reason: "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, p, secretCheck(tc.url))
			if r.OK || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got %+v, want a failure saying %q", r, tc.reason)
			}
			if r.Target != `check "hook" (url hidden)` {
				t.Errorf("target %q", r.Target)
			}
			for _, s := range []string{pathSecret, querySecret, srv.srv.URL} {
				if l := leaks(r, s); len(l) > 0 {
					t.Errorf("%q in %v: %+v", s, l, r)
				}
			}
		})
	}

	_, err := p.Compile("", secretCheck("http://127.0.0.1:bad/"+pathSecret), nil, time.Second)
	if err == nil || strings.Contains(err.Error(), pathSecret) {
		t.Errorf("compile error %v: want an error without the url", err)
	}
}

// BuildGroups scrubs with the configuration's Redact and resolves exec
// commands in its directory when the Probers' options leave them unset.
func TestBuildGroupsUsesConfigRedactAndDir(t *testing.T) {
	const hook, fileSecret = "env-hook-5150", "file-secret-8080"
	dir := t.TempDir()
	srv := startRecorder(t, testharness.LoopbackIP(t), func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	})
	files := map[string]string{
		"secret.txt": fileSecret + "\n",
		"check.sh":   "#!/bin/sh\necho \"reading $(cat secret.txt)\"\nexit 4\n",
		"lifeboat.hcl": fmt.Sprintf(`
provider "p" {
  check "hook" {
    http { url = "%s/${env("LB_HOOK")}" }
  }
  check "script" {
    exec { command = ["./check.sh", file("secret.txt")] }
  }
}
`, srv.srv.URL),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	cfg, err := config.Load(filepath.Join(dir, "lifeboat.hcl"), config.Options{LookupEnv: func(k string) (string, bool) {
		return hook, k == "LB_HOOK"
	}})
	if err != nil {
		t.Fatal(err)
	}
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	groups, err := BuildGroups(cfg, p, ConfigTargets(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := RunProbes(ctx, groups[0].Probes, 2)
	if len(res) != 2 {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res {
		for _, s := range []string{hook, fileSecret} {
			if l := leaks(r, s); len(l) > 0 {
				t.Errorf("%s: %q in %v: %+v", r.Check, s, l, r)
			}
		}
	}
	if r := res[0]; r.OK || !strings.Contains(r.Reason, "status 410 Gone") {
		t.Errorf("hook: %+v", r)
	}
	if r := res[1]; r.Reason != "exit status 4: reading <hidden>" || r.Target != "./check.sh" {
		t.Errorf("script: %+v", r)
	}
}

func TestProviderAPICompileErrorDoesNotQuoteURL(t *testing.T) {
	p := NewProbers(ProberOptions{})
	c := &config.Check{Name: "api", ProviderAPI: &config.ProviderAPICheck{
		URL: "http://127.0.0.1:bad/accounts/acct-s3cret", Method: http.MethodGet, Header: config.DefaultAPIHeader,
	}}
	_, err := p.Compile("", c, nil, time.Second)
	if err == nil || strings.Contains(err.Error(), "acct-s3cret") || !strings.Contains(err.Error(), "invalid url") {
		t.Fatalf("compile error %v: want one saying invalid url without quoting it", err)
	}
}
