package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// productionEnv are the variables the production example reads its
// secrets from.
var productionEnv = []string{"CLOUDFLARE_API_TOKEN", "DESEC_TOKEN", "HCLOUD_PROBE_TOKEN", "PORKBUN_API_KEY", "PORKBUN_SECRET_API_KEY",
	"LIFEBOAT_WEBHOOK", "LIFEBOAT_WEBHOOK_SECRET", "LIFEBOAT_SLACK_WEBHOOK", "LIFEBOAT_READ_TOKEN", "LIFEBOAT_OPERATE_TOKEN",
	"GITLAB_STATE_TOKEN"}

// The bundled examples must stay valid: the README points users at them.
func TestExamplesValidate(t *testing.T) {
	// The production example reads its secrets from the environment.
	for _, v := range productionEnv {
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

// The audit of the production example, offline and with no journal, finds
// what a reader of that file expects and docs/operator-guide.md shows:
// never drilled, no data block to say how fresh its data is, and a
// recovery-time budget that cannot be completed without a measured apply.
// Nothing else: hosting and DNS each span two vendors in two
// countries, the journal and the workspaces' state are elsewhere.
func TestAuditOfProductionExample(t *testing.T) {
	for _, v := range productionEnv {
		t.Setenv(v, "https://hooks.example/"+strings.ToLower(v))
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"audit", "--offline", "-o", "json", "-c", "../../examples/production/lifeboat.hcl"}, strings.NewReader(""), &out, &errb)
	var doc auditJSON
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("audit -o json: exit %d: %v\n%s%s", code, err, out.String(), errb.String())
	}
	if got, want := doc.ids(), []string{"readiness.www", "data-unknown.www", "rto-budget.www"}; !slices.Equal(got, want) || code != 1 {
		t.Fatalf("findings %v (exit %d), want %v (exit 1: a high finding)", got, code, want)
	}
	if doc.Findings[0].Severity != "high" || doc.Findings[1].Severity != "medium" || doc.Findings[2].Severity != "low" {
		t.Errorf("severities %s, %s, %s; want high, medium, low", doc.Findings[0].Severity, doc.Findings[1].Severity, doc.Findings[2].Severity)
	}
}
