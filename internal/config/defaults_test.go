package config_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Every default the engines rely on is set by the loader, so no engine
// keeps its own copy; and a meaningful zero (max_redirects = 0) stays.
func TestCheckDefaults(t *testing.T) {
	src := `policy {
  interval = "7s"
  timeout  = "2s"
}
provider "p" {
  check "api" {
    provider_api {
      url = "https://api.example.com/v1/account"
    }
  }
  check "zone" {
    dns {
      server = "127.0.0.1:53"
      name   = "example.com"
    }
  }
  check "fixed" {
    timeout = "1s"
    http {
      url              = "https://example.com/"
      follow_redirects = false
      max_redirects    = 0
    }
  }
  check "path" {
    http {
    }
  }
}
`
	cfg, err := config.Parse("c.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks := cfg.Providers[0].Checks
	want := []*config.Check{
		{Name: "api", Interval: 7 * time.Second, Timeout: 2 * time.Second, ProviderAPI: &config.ProviderAPICheck{
			URL: "https://api.example.com/v1/account", Method: "GET", Header: "Authorization", LostPattern: config.DefaultLostPattern}},
		{Name: "zone", Interval: 7 * time.Second, Timeout: 2 * time.Second, DNS: &config.DNSCheck{
			Server: "127.0.0.1:53", Name: "example.com", Type: "A"}},
		{Name: "fixed", Interval: 7 * time.Second, Timeout: time.Second, HTTP: &config.HTTPCheck{
			URL: "https://example.com/", Method: "GET", CertExpiryWarning: 336 * time.Hour,
			FollowRedirects: false, MaxRedirects: 0}},
		{Name: "path", Interval: 7 * time.Second, Timeout: 2 * time.Second, HTTP: &config.HTTPCheck{
			Path: "/", Scheme: "http", Port: 80, Method: "GET", CertExpiryWarning: 336 * time.Hour,
			FollowRedirects: true, MaxRedirects: 10}},
	}
	if diff := cmp.Diff(want, checks, ignoreRanges()); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

func TestDefaultLostPattern(t *testing.T) {
	re := regexp.MustCompile(config.DefaultLostPattern)
	for body, lost := range map[string]bool{
		`{"status":"suspended"}`:             true,
		`Account TERMINATED for abuse`:       true,
		`{"state": "deactivated"}`:           true,
		`your project was banned`:            true,
		`account closed`:                     true,
		`{"servers": [], "closed_at": null}`: false,
		`{"user": "unbanned"}`:               false,
		`{"servers": []}`:                    false,
	} {
		if got := re.MatchString(body); got != lost {
			t.Errorf("%q: lost = %v, want %v", body, got, lost)
		}
	}
}
