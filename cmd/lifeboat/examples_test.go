package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// The bundled examples must stay valid: the README points users at them.
func TestExamplesValidate(t *testing.T) {
	// The production example reads its secrets from the environment.
	for _, v := range []string{"CLOUDFLARE_API_TOKEN", "DESEC_TOKEN", "HCLOUD_PROBE_TOKEN", "LIFEBOAT_WEBHOOK", "LIFEBOAT_WEBHOOK_SECRET", "LIFEBOAT_SLACK_WEBHOOK", "LIFEBOAT_READ_TOKEN", "LIFEBOAT_OPERATE_TOKEN"} {
		t.Setenv(v, "https://hooks.example/"+strings.ToLower(v))
	}
	for _, path := range []string{"../../examples/local/lifeboat.hcl", "../../examples/production/lifeboat.hcl"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"validate", "-c", path}, strings.NewReader(""), &out, &errb)
		if code != 0 {
			t.Errorf("validate %s: exit %d\n%s%s", path, code, out.String(), errb.String())
		}
		if !strings.Contains(out.String(), "valid") {
			t.Errorf("validate %s printed %q", path, out.String())
		}
	}
}

func TestValidateReportsPositionAndExit2(t *testing.T) {
	t.Setenv("LIFEBOAT_TEST_SECRET", "s3cr3t-value")
	dir := t.TempDir()
	path := dir + "/bad.hcl"
	src := `dns "x" {
  type = "nope"
  zone = "example.com."
  settings = { key = env("LIFEBOAT_TEST_SECRET") }
}
`
	if err := writeFile(path, src); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"validate", "-c", path}, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if want := path + ":2:3: dns \"x\": type: unknown DNS provider type \"nope\""; !strings.Contains(errb.String(), want) {
		t.Fatalf("stderr %q lacks %q", errb.String(), want)
	}
	if strings.Contains(errb.String()+out.String(), "s3cr3t-value") {
		t.Fatal("a secret value was printed")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
