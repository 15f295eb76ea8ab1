package providers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// awsEnv points the AWS SDK at a configuration file of the test's own,
// with nothing from the machine's environment or home directory.
func awsEnv(t *testing.T, configFile string) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULTS_MODE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ROUTE_53", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", dir)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(configFile), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
}

func route53Call(t *testing.T, settings map[string]string) error {
	t.Helper()
	d, err := NewNamedDNS("aws", "route53", settings)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = d.GetRecords(ctx, "example.com.")
	return err
}

// libdns/route53 calls log.Fatalf when the AWS configuration does not
// load: without the preflight this test's process exits.
func TestRoute53MissingProfileIsAnError(t *testing.T) {
	awsEnv(t, "[profile other]\nregion = eu-west-1\n")
	err := route53Call(t, map[string]string{"profile": "lifeboat-missing-profile", "region": "eu-west-1"})
	if !errors.Is(err, ErrAWSConfig) {
		t.Fatalf("err = %v, want ErrAWSConfig", err)
	}
	if strings.Contains(err.Error(), "lifeboat-missing-profile") {
		t.Errorf("error quotes the profile setting: %v", err)
	}
}

func TestRoute53BadEnvironmentIsAnError(t *testing.T) {
	awsEnv(t, "")
	t.Setenv("AWS_MAX_ATTEMPTS", "many")
	if err := route53Call(t, map[string]string{"region": "eu-west-1"}); !errors.Is(err, ErrAWSConfig) {
		t.Fatalf("err = %v, want ErrAWSConfig", err)
	}
}

// defaults_mode auto makes the provider's own load ask the metadata
// service with the call's context: cut short, it would exit the process.
func TestRoute53DefaultsModeAutoRefused(t *testing.T) {
	awsEnv(t, "[profile lb]\nregion = eu-west-1\ndefaults_mode = auto\n")
	err := route53Call(t, map[string]string{"profile": "lb"})
	if !errors.Is(err, ErrAWSConfig) || !strings.Contains(err.Error(), `defaults_mode "auto" is not supported`) {
		t.Fatalf("err = %v, want defaults_mode auto refused", err)
	}
}

// With a configuration that loads, the provider is called (here against
// a loopback stand-in for the Route 53 API, which fails the request).
func TestRoute53GoodConfigurationReachesTheAPI(t *testing.T) {
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "<ErrorResponse/>", http.StatusBadRequest)
	}))
	t.Cleanup(api.Close)
	awsEnv(t, "[profile lb]\nregion = eu-west-1\n")
	t.Setenv("AWS_ENDPOINT_URL", api.URL)
	err := route53Call(t, map[string]string{"profile": "lb", "access_key_id": "AKIATEST", "secret_access_key": secret,
		"hosted_zone_id": "Z0123456789ABC", "max_retries": "1"})
	if err == nil || errors.Is(err, ErrAWSConfig) {
		t.Fatalf("err = %v, want the API's failure", err)
	}
	if hits.Load() == 0 {
		t.Error("the provider never reached the API")
	}
}
