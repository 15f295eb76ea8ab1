package config_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// dataSecretDSN is distinctive, so a leak is found wherever it appears.
const dataSecretDSN = "postgres://app:Zq9-ultra-secret-pw@db.alpha.internal:5432/app"

var dataEnv = map[string]string{
	"ALPHA_DSN":     dataSecretDSN,
	"STATUS_TOKEN":  "Bearer status-token-7781",
	"S3_ACCESS_KEY": "AKIA-test-access-0001",
	"S3_SECRET_KEY": "s3-secret-key-from-env-0002",
	"SCRATCH_DSN":   "postgres://scratch:scratch-pw-0003@127.0.0.1:5433/postgres",
}

func dataOptions() config.Options {
	opts := testOptions()
	opts.LookupEnv = func(k string) (string, bool) {
		if v, ok := dataEnv[k]; ok {
			return v, true
		}
		v, ok := testEnv[k]
		return v, ok
	}
	return opts
}

func TestDataTierParses(t *testing.T) {
	cfg, err := config.Load("testdata/data.hcl", dataOptions())
	if err != nil {
		t.Fatalf("data.hcl: %v", err)
	}
	abs, _ := filepath.Abs("testdata")
	www := cfg.Service("www")
	if www == nil || www.RPO != 30*time.Second || www.BackupMaxAge != 50*time.Hour {
		t.Fatalf("service www: %+v", www)
	}
	wantData := []*config.Data{
		{
			Name: "db",
			Postgres: &config.PostgresData{DSN: map[string]string{
				"alpha": dataSecretDSN,
				"bravo": "postgres://lifeboat:bravo-file-pw@10.0.0.2:5432/app",
			}},
			Fence: &config.DataAction{Command: []string{"./fence.sh", "--hard"},
				Env: map[string]string{"MODE": "fence"}, PassEnv: []string{"PG*"}},
			Promote: &config.DataAction{TerraformVar: "promote"},
		},
		{
			Name: "files",
			HTTP: &config.HTTPData{
				URL: map[string]string{
					"alpha": "https://alpha.example.net/replication",
					"bravo": "http://127.0.0.1:8080/replication",
				},
				JSONField: "replication.last_write",
				Headers:   map[string]string{"Authorization": dataEnv["STATUS_TOKEN"]},
			},
			Fence:   &config.DataAction{Disabled: true},
			Promote: &config.DataAction{Command: []string{"./promote.sh"}},
		},
		{
			Name:    "queue",
			HTTP:    &config.HTTPData{URL: map[string]string{"bravo": "https://bravo.example.net/q"}, Header: "X-Last-Write"},
			Promote: &config.DataAction{Disabled: true},
		},
		{
			Name: "cache",
			Exec: &config.ExecData{Command: []string{"./fresh.sh"}, Env: map[string]string{"REGION": "eu"},
				PassEnv: []string{"REDIS_*"}, Providers: []string{"alpha", "bravo"}}, // default: the candidates
		},
		{
			Name: "blobs",
			Exec: &config.ExecData{Command: []string{"./blobs.sh", "age"}, Providers: []string{"bravo"}},
		},
	}
	if diff := cmp.Diff(wantData, www.Data, ignoreRanges()); diff != "" {
		t.Errorf("www data (-want +got):\n%s", diff)
	}
	wantBackups := []*config.Backup{
		{
			Name: "offsite", Vendor: "backblaze", Jurisdiction: "EU", Prefix: "www/",
			S3: &config.S3Backup{Endpoint: "https://s3.example.net", Bucket: "lifeboat-backups",
				Region:    config.DefaultS3Region,
				AccessKey: dataEnv["S3_ACCESS_KEY"], SecretKey: "s3-secret-from-file-0042"},
		},
		{Name: "local", Vendor: "self", Directory: filepath.Join(abs, "backups/www")},
	}
	if diff := cmp.Diff(wantBackups, www.Backups, ignoreRanges()); diff != "" {
		t.Errorf("www backups (-want +got):\n%s", diff)
	}

	api := cfg.Service("api")
	wantAPI := []*config.Backup{{
		Name: "minio", Vendor: "self",
		S3: &config.S3Backup{Endpoint: "http://127.0.0.1:9000", Bucket: "api", Region: "eu-central-1",
			AccessKey: dataEnv["S3_ACCESS_KEY"], SecretKey: dataEnv["S3_SECRET_KEY"]},
	}}
	if diff := cmp.Diff(wantAPI, api.Backups, ignoreRanges()); diff != "" {
		t.Errorf("api backups (-want +got):\n%s", diff)
	}
	if api.RPO != 0 || api.BackupMaxAge != config.DefaultBackupMaxAge || api.Data != nil {
		t.Errorf("api: rpo %v, backup_max_age %v (want the default), data %v", api.RPO, api.BackupMaxAge, api.Data)
	}

	if cfg.Policy.DataInterval != time.Minute {
		t.Errorf("policy.data_interval = %v", cfg.Policy.DataInterval)
	}

	wantDrills := []*config.Drill{
		{
			Name: "restore-www", Service: "www", Mode: config.DrillRestore, Target: "bravo", Record: "drill-www",
			Restore: &config.RestoreDrill{Backup: "local", Data: "db", DSN: dataEnv["SCRATCH_DSN"],
				Command: []string{"./restore.sh", "--fast"}, Query: "SELECT 1 FROM users LIMIT 1", Timeout: 45 * time.Minute},
		},
		{
			Name: "restore-www-defaults", Service: "www", Mode: config.DrillRestore, Record: "drill-www",
			Restore: &config.RestoreDrill{Backup: "offsite", Data: "db", Timeout: config.DefaultRestoreTimeout},
		},
		{
			Name: "restore-api", Service: "api", Mode: config.DrillRestore, Record: "drill-api",
			Restore: &config.RestoreDrill{Backup: "minio", Command: []string{"./restore-api.sh"}, Timeout: config.DefaultRestoreTimeout},
		},
	}
	if diff := cmp.Diff(wantDrills, cfg.Drills, ignoreRanges()); diff != "" {
		t.Errorf("drills (-want +got):\n%s", diff)
	}

	// Values from env() and file() are secrets: scrubbed from any text.
	for _, v := range []string{dataSecretDSN, "postgres://lifeboat:bravo-file-pw@10.0.0.2:5432/app", dataEnv["SCRATCH_DSN"], dataEnv["S3_SECRET_KEY"], "s3-secret-from-file-0042", dataEnv["STATUS_TOKEN"]} {
		if !cfg.IsSecret(v) {
			t.Errorf("%q is not marked secret", v)
		}
		if got := cfg.Redact("error: " + v); strings.Contains(got, v) {
			t.Errorf("Redact left %q", got)
		}
	}
	// A literal DSN without a password is not a secret (it is shown).
	if cfg.IsSecret("https://bravo.example.net/q") {
		t.Error("a literal URL is marked secret")
	}
}

// A configuration without data blocks keeps the data tier empty, with
// only policy.data_interval defaulted.
func TestDataTierDefaultsWithoutBlocks(t *testing.T) {
	cfg, err := config.Parse("c.hcl", []byte(base+"service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n}\n"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Services[0]
	if s.RPO != 0 || s.BackupMaxAge != 0 || s.Data != nil || s.Backups != nil {
		t.Errorf("service %+v", s)
	}
	if cfg.Policy.DataInterval != config.DefaultDataInterval {
		t.Errorf("data_interval %v", cfg.Policy.DataInterval)
	}
	if d := cfg.Drills[0]; d.Restore != nil {
		t.Errorf("a readiness drill has a restore block: %+v", d.Restore)
	}
}

// dataBase declares alpha and bravo (with workspaces), charlie (without,
// and no candidate) and delta (without a workspace), and opens service www
// on alpha, bravo and delta. Cases append the service's body and close it.
const dataBase = `provider "alpha" {
  terraform {
    dir = "a"
  }
}
provider "bravo" {
  terraform {
    dir = "b"
  }
}
provider "charlie" {
}
provider "delta" {
}
service "www" {
  records    = ["www"]
  candidates = ["alpha", "bravo", "delta"]
  check "up" {
    tcp { port = 80 }
  }
`

// dataLine is the line of the first line appended to dataBase.
var dataLine = strings.Count(dataBase, "\n") + 1

func svc(body string) string { return dataBase + body + "}\n" }

// pg is a valid postgres data block named db, for cases about other things.
const pg = "  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n  }\n"

// local is a valid backup block.
const local = "  backup \"local\" {\n    vendor    = \"self\"\n    directory = \"b\"\n  }\n"

func restoreDrill(attrs string) string {
	return svc(pg+local) + "drill \"r\" {\n  service = \"www\"\n  mode    = \"restore\"\n" + attrs + "}\n"
}

// drillLine is the line of the first attribute restoreDrill appends
// after mode.
var drillLine = strings.Count(svc(pg+local), "\n") + 4

func TestDataTierInvalid(t *testing.T) {
	L := dataLine
	cases := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"rpo without data", svc("  rpo = \"30s\"\n"), L, 3, `service "www": rpo: needs at least one data block`},
		{"rpo zero", svc("  rpo = \"0s\"\n" + pg), L, 3, `service "www": rpo: duration must be positive, got "0s"`},
		{"rpo negative", svc("  rpo = \"-5s\"\n" + pg), L, 3, `service "www": rpo: duration must be positive`},
		{"backup_max_age without backup", svc("  backup_max_age = \"26h\"\n"), L, 3, `service "www": backup_max_age: only applies with a backup block`},
		{"data without source", svc("  data \"db\" {\n  }\n"), L, 3, `service "www" data "db": needs one source block: postgres, http or exec`},
		{"data with two sources", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    exec {\n      command = [\"x\"]\n    }\n  }\n"), L + 4, 5, `service "www" data "db": exec: only one source block per data block, this one already has postgres at line ` + itoa(L+1)},
		{"data with two postgres", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    postgres {\n      dsn = { bravo = env(\"ALPHA_DSN\") }\n    }\n  }\n"), L + 4, 5, `data "db": postgres: only one source block per data block`},
		{"duplicate data", svc(pg + pg), L + 5, 8, `service "www": data "db": duplicate name, the first is at line ` + itoa(L)},
		{"data label", svc("  data \"d b\" {\n    exec {\n      command = [\"x\"]\n    }\n  }\n"), L, 8, `service "www": data "d b": a name must`},
		{"dsn missing", svc("  data \"db\" {\n    postgres {\n    }\n  }\n"), L + 1, 5, `service "www" data "db": postgres.dsn: is required`},
		{"dsn empty", svc("  data \"db\" {\n    postgres {\n      dsn = {}\n    }\n  }\n"), L + 2, 7, `postgres.dsn: at least one provider is required`},
		{"dsn undeclared provider", svc("  data \"db\" {\n    postgres {\n      dsn = { zulu = env(\"ALPHA_DSN\") }\n    }\n  }\n"), L + 2, 7, `service "www" data "db": postgres.dsn: provider "zulu" is not declared`},
		{"dsn not a candidate", svc("  data \"db\" {\n    postgres {\n      dsn = { charlie = env(\"ALPHA_DSN\") }\n    }\n  }\n"), L + 2, 7, `postgres.dsn: provider "charlie" is not a candidate of service "www"`},
		{"dsn literal password", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = \"host=db user=app password=pw1\" }\n    }\n  }\n"), L + 2, 7, `postgres.dsn: provider "alpha": put the DSN in env() or file(): it holds a password`},
		{"dsn literal URL password", svc("  data \"db\" {\n    postgres {\n      dsn = { bravo = \"postgres://app:pw1@db:5432/app\" }\n    }\n  }\n"), L + 2, 7, `provider "bravo": put the DSN in env() or file(): it holds a password`},
		{"dsn literal query password", svc("  data \"db\" {\n    postgres {\n      dsn = { bravo = \"postgres://app@db/app?sslmode=require&password=pw1\" }\n    }\n  }\n"), L + 2, 7, `it holds a password`},
		{"http url not a candidate", svc("  data \"f\" {\n    http {\n      url = { charlie = \"https://c.example/\" }\n      header = \"X-Last\"\n    }\n  }\n"), L + 2, 7, `service "www" data "f": http.url: provider "charlie" is not a candidate of service "www"`},
		{"http url scheme", svc("  data \"f\" {\n    http {\n      url = { alpha = \"ftp://a.example/\" }\n      header = \"X-Last\"\n    }\n  }\n"), L + 2, 7, `http.url: provider "alpha": URL scheme must be http or https`},
		{"http url no host", svc("  data \"f\" {\n    http {\n      url = { alpha = \"https:///x\" }\n      header = \"X-Last\"\n    }\n  }\n"), L + 2, 7, `http.url: provider "alpha": URL has no host`},
		{"http both fields", svc("  data \"f\" {\n    http {\n      url = { alpha = \"https://a.example/\" }\n      json_field = \"a.b\"\n      header = \"X-Last\"\n    }\n  }\n"), L + 4, 7, `http.header: json_field and header are mutually exclusive`},
		{"http neither field", svc("  data \"f\" {\n    http {\n      url = { alpha = \"https://a.example/\" }\n    }\n  }\n"), L + 1, 5, `service "www" data "f": http: one of json_field or header is required`},
		{"http json_field path", svc("  data \"f\" {\n    http {\n      url = { alpha = \"https://a.example/\" }\n      json_field = \"a..b\"\n    }\n  }\n"), L + 3, 7, `http.json_field: must be a dotted path`},
		{"exec without command", svc("  data \"c\" {\n    exec {\n      env = { A = \"b\" }\n    }\n  }\n"), L + 1, 5, `service "www" data "c": exec.command: is required`},
		{"exec providers not a candidate", svc("  data \"c\" {\n    exec {\n      command = [\"x\"]\n      providers = [\"alpha\", \"charlie\"]\n    }\n  }\n"), L + 3, 7, `exec.providers: provider "charlie" is not a candidate of service "www"`},
		{"exec providers empty", svc("  data \"c\" {\n    exec {\n      command = [\"x\"]\n      providers = []\n    }\n  }\n"), L + 3, 7, `exec.providers: at least one provider is required`},
		{"exec pass_env everything", svc("  data \"c\" {\n    exec {\n      command = [\"x\"]\n      pass_env = [\"*\"]\n    }\n  }\n"), L + 3, 7, `exec.pass_env: "*" would pass the whole environment`},
		{"fence empty", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n    }\n  }\n"), L + 4, 5, `service "www" data "db": fence: needs command or enabled = false`},
		{"fence enabled true", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n      enabled = true\n    }\n  }\n"), L + 4, 5, `fence: needs command or enabled = false (enabled = true is the default`},
		{"fence command and disabled", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n      command = [\"f\"]\n      enabled = false\n    }\n  }\n"), L + 6, 7, `fence.enabled: command and enabled = false are mutually exclusive`},
		{"fence terraform_var", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n      terraform_var = \"x\"\n    }\n  }\n"), L + 5, 7, `An argument named "terraform_var" is not expected here`},
		{"fence env without command", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n      enabled = false\n      env = { A = \"b\" }\n    }\n  }\n"), L + 6, 7, `fence.env: only applies with command`},
		{"fence twice", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    fence {\n      enabled = false\n    }\n    fence {\n      enabled = false\n    }\n  }\n"), L + 7, 5, `data "db": fence: only one fence block is allowed, the first is at line ` + itoa(L+4)},
		{"promote two ways", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    promote {\n      terraform_var = \"promote\"\n      command = [\"p\"]\n    }\n  }\n"), L + 6, 7, `promote.command: terraform_var and command are mutually exclusive: write one of command, terraform_var or enabled = false`},
		{"promote empty", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    promote {\n    }\n  }\n"), L + 4, 5, `promote: needs command, terraform_var or enabled = false`},
		{"promote terraform_var without workspace", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\"), delta = env(\"ALPHA_DSN\") }\n    }\n    promote {\n      terraform_var = \"promote\"\n    }\n  }\n"), L + 5, 7, `service "www" data "db": promote.terraform_var: provider "delta" has no terraform block`},
		{"promote terraform_var exec default providers", svc("  data \"c\" {\n    exec {\n      command = [\"x\"]\n    }\n    promote {\n      terraform_var = \"promote\"\n    }\n  }\n"), L + 5, 7, `promote.terraform_var: provider "delta" has no terraform block`},
		{"promote terraform_var name", svc("  data \"db\" {\n    postgres {\n      dsn = { alpha = env(\"ALPHA_DSN\") }\n    }\n    promote {\n      terraform_var = \"1x\"\n    }\n  }\n"), L + 5, 7, `promote.terraform_var: must be a Terraform variable name`},
		{"backup without vendor", svc("  backup \"b\" {\n    directory = \"x\"\n  }\n"), L, 3, `service "www" backup "b": vendor: is required`},
		{"backup without place", svc("  backup \"b\" {\n    vendor = \"self\"\n  }\n"), L, 3, `service "www" backup "b": needs a directory or an s3 block`},
		{"backup directory and s3", svc("  backup \"b\" {\n    vendor = \"self\"\n    directory = \"x\"\n    s3 {\n      endpoint = \"https://s3.example.net\"\n      bucket = \"b\"\n      access_key = env(\"S3_ACCESS_KEY\")\n      secret_key = env(\"S3_SECRET_KEY\")\n    }\n  }\n"), L + 3, 5, `service "www" backup "b": s3: directory and s3 are mutually exclusive`},
		{"backup empty directory", svc("  backup \"b\" {\n    vendor = \"self\"\n    directory = \"\"\n  }\n"), L + 2, 5, `backup "b": directory: must not be empty`},
		{"duplicate backup", svc(local + local), L + 4, 10, `service "www": backup "local": duplicate name, the first is at line ` + itoa(L)},
		{"s3 http elsewhere", svc(s3Backup("endpoint = \"http://s3.example.net\"")), L + 3, 7, `backup "b": s3.endpoint: must be https when its host is not a loopback address`},
		{"s3 not a URL", svc(s3Backup("endpoint = \"s3.example.net\"")), L + 3, 7, `s3.endpoint: must be an http or https URL with a host`},
		{"s3 endpoint with path", svc(s3Backup("endpoint = \"https://s3.example.net/bucket\"")), L + 3, 7, `s3.endpoint: must be the service's base URL`},
		{"s3 endpoint with credentials", svc(s3Backup("endpoint = \"https://k:s@s3.example.net\"")), L + 3, 7, `s3.endpoint: must be the service's base URL`},
		{"s3 without bucket", svc("  backup \"b\" {\n    vendor = \"self\"\n    s3 {\n      endpoint = \"https://s3.example.net\"\n      access_key = env(\"S3_ACCESS_KEY\")\n      secret_key = env(\"S3_SECRET_KEY\")\n    }\n  }\n"), L + 2, 5, `backup "b": s3.bucket: is required`},
		{"s3 bucket with slash", svc(s3Backup("endpoint = \"https://s3.example.net\"", "bucket = \"b/www\"")), L + 4, 7, `s3.bucket: must be a bucket name`},
		{"s3 literal secret_key", svc(s3Backup("endpoint = \"https://s3.example.net\"", "secret_key = \"literal-secret\"")), L + 6, 7, `s3.secret_key: put the key in env() or file(): it is a credential`},
		{"s3 literal access_key", svc(s3Backup("endpoint = \"https://s3.example.net\"", "access_key = \"AKIAliteral\"")), L + 5, 7, `s3.access_key: put the key in env() or file()`},
		{"s3 without secret_key", svc("  backup \"b\" {\n    vendor = \"self\"\n    s3 {\n      endpoint = \"https://s3.example.net\"\n      bucket = \"b\"\n      access_key = env(\"S3_ACCESS_KEY\")\n    }\n  }\n"), L + 2, 5, `s3.secret_key: is required`},
		{"policy data_interval", "policy {\n  data_interval = \"soon\"\n}\n", 2, 3, `policy.data_interval: invalid duration "soon"`},
		{"drill mode unknown lists restore", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  mode = \"chaos\"\n}\n", 12, 3, `drill "d": mode: must be one of readiness, canary, full, restore, got "chaos"`},
		{"restore block with another mode", svc(pg+local) + "drill \"r\" {\n  service = \"www\"\n  mode = \"canary\"\n  restore {\n    query = \"SELECT 1\"\n  }\n}\n", drillLine, 3, `drill "r": restore: only applies with mode = "restore"`},
		{"restore block without mode", svc(pg+local) + "drill \"r\" {\n  service = \"www\"\n  restore {\n    query = \"SELECT 1\"\n  }\n}\n", drillLine - 1, 3, `drill "r": restore: only applies with mode = "restore"`},
		{"restore without backup block", svc(pg) + "drill \"r\" {\n  service = \"www\"\n  mode = \"restore\"\n}\n", strings.Count(svc(pg), "\n") + 3, 3, `drill "r": mode: mode "restore" needs a backup block in service "www"`},
		{"restore without postgres", svc(local) + "drill \"r\" {\n  service = \"www\"\n  mode = \"restore\"\n}\n", strings.Count(svc(local), "\n") + 3, 3, `drill "r": mode: mode "restore" needs a postgres data block in service "www", restore.dsn (the server to restore into) or restore.command`},
		{"restore unknown backup", restoreDrill("  restore {\n    backup = \"offsite\"\n  }\n"), drillLine + 1, 5, `drill "r": restore.backup: backup "offsite" is not declared in service "www"`},
		{"restore unknown data", restoreDrill("  restore {\n    data = \"nope\"\n  }\n"), drillLine + 1, 5, `drill "r": restore.data: data "nope" is not declared in service "www"`},
		{"restore http data", svc(pg+local+"  data \"f\" {\n    http {\n      url = { alpha = \"https://a.example/\" }\n      header = \"X-Last\"\n    }\n  }\n") + "drill \"r\" {\n  service = \"www\"\n  mode = \"restore\"\n  restore {\n    data = \"f\"\n  }\n}\n", strings.Count(svc(pg+local+"  data \"f\" {\n    http {\n      url = { alpha = \"https://a.example/\" }\n      header = \"X-Last\"\n    }\n  }\n"), "\n") + 5, 5, `restore.data: data "f" of service "www" is http, not postgres`},
		{"restore literal dsn password", restoreDrill("  restore {\n    dsn = \"postgres://u:pw1@127.0.0.1/postgres\"\n  }\n"), drillLine + 1, 5, `drill "r": restore.dsn: put the DSN in env() or file(): it holds a password`},
		{"restore timeout", restoreDrill("  restore {\n    timeout = \"0s\"\n  }\n"), drillLine + 1, 5, `drill "r": restore.timeout: duration must be positive`},
		{"restore empty command", restoreDrill("  restore {\n    command = []\n  }\n"), drillLine + 1, 5, `drill "r": restore.command: must name a program`},
		{"restore empty query", restoreDrill("  restore {\n    query = \"\"\n  }\n"), drillLine + 1, 5, `drill "r": restore.query: must not be empty`},
		{"restore target without dsn", restoreDrill("  target = \"bravo\"\n"), drillLine, 3, `drill "r": target: provider "bravo" has no dsn in data "db" of service "www": set restore.dsn`},
		{"restore twice", restoreDrill("  restore {\n  }\n  restore {\n  }\n"), drillLine + 2, 3, `drill "r": restore: only one restore block is allowed, the first is at line ` + itoa(drillLine)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("testdata/case.hcl", []byte(tc.src), dataOptions())
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *config.Error", err)
			}
			if len(ce.Diags) != 1 {
				t.Errorf("got %d diagnostics, want 1:\n%v", len(ce.Diags), err)
			}
			for _, d := range ce.Diags {
				if d.Line == tc.line && d.Column == tc.col && strings.Contains(d.Message, tc.msg) {
					return
				}
			}
			t.Errorf("want %d:%d: ...%s...; got\n%v\nsource:\n%s", tc.line, tc.col, tc.msg, err, numbered(tc.src))
		})
	}
}

// s3Backup is a backup block "b" with an s3 block: endpoint on its fourth
// line, then bucket, access_key and secret_key, each replaced by an
// override of the same attribute.
func s3Backup(endpoint string, overrides ...string) string {
	attrs := []string{endpoint, `bucket = "b"`, `access_key = env("S3_ACCESS_KEY")`, `secret_key = env("S3_SECRET_KEY")`}
	for _, o := range overrides {
		name, _, _ := strings.Cut(o, " ")
		for i, a := range attrs {
			if strings.HasPrefix(a, name+" ") {
				attrs[i] = o
			}
		}
	}
	return "  backup \"b\" {\n    vendor = \"self\"\n    s3 {\n      " + strings.Join(attrs, "\n      ") + "\n    }\n  }\n"
}

func itoa(n int) string { return strconv.Itoa(n) }

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}

// A DSN from env() never appears in a message, whatever the mistake
// around it: a wrong key, a DSN where a map belongs, a bad URL.
func TestDataSecretDSNNeverInMessages(t *testing.T) {
	src := svc(`  rpo = "0s"
  data "db" {
    postgres {
      dsn = { charlie = env("ALPHA_DSN"), zulu = env("ALPHA_DSN"), alpha = "${env("ALPHA_DSN")} password=x" }
    }
    promote {
      terraform_var = env("ALPHA_DSN")
    }
  }
  data "db2" {
    postgres {
      dsn = env("ALPHA_DSN")
    }
  }
  data "f" {
    http {
      url        = { alpha = env("ALPHA_DSN"), bravo = "ftp://${env("ALPHA_DSN")}" }
      json_field = env("ALPHA_DSN")
      header     = env("ALPHA_DSN")
    }
  }
  backup "b" {
    vendor = "self"
    s3 {
      endpoint   = env("ALPHA_DSN")
      bucket     = "${env("ALPHA_DSN")}/x"
      access_key = env("ALPHA_DSN")
      secret_key = env("ALPHA_DSN")
    }
  }
`) + `drill "r" {
  service = "www"
  mode    = "restore"
  restore {
    backup = env("ALPHA_DSN")
    data   = env("ALPHA_DSN")
    dsn    = env("ALPHA_DSN")
    query  = env("ALPHA_DSN")
  }
}
`
	_, err := config.Parse("c.hcl", []byte(src), dataOptions())
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	if len(ce.Diags) < 8 {
		t.Errorf("want every mistake reported, got %d:\n%v", len(ce.Diags), err)
	}
	for _, part := range []string{dataSecretDSN, "Zq9-ultra-secret-pw", "db.alpha.internal"} {
		if strings.Contains(err.Error(), part) {
			t.Errorf("secret %q leaked:\n%v", part, err)
		}
	}
}

// Credentials written literally are refused without being quoted: they
// are not env() or file() values, so no redaction would catch them.
func TestDataLiteralCredentialsNotQuoted(t *testing.T) {
	src := svc(`  data "db" {
    postgres {
      dsn = { alpha = "host=db.lit-host.internal password=LiteralPw-77", bravo = "postgres://app:LiteralPw-88@db.lit-host.internal/app" }
    }
  }
  data "f" {
    http {
      url    = { alpha = "https://u:LiteralPw-99@status.lit-host.internal/x", bravo = "gopher://status.lit-host.internal/x" }
      header = "X-Last"
    }
  }
  backup "b" {
    vendor = "self"
    s3 {
      endpoint   = "https://s3.lit-host.internal"
      bucket     = "b"
      access_key = "AKIA-LiteralKey-11"
      secret_key = "LiteralSecret-22"
    }
  }
`) + `drill "r" {
  service = "www"
  mode    = "restore"
  restore {
    dsn = "postgres://app:LiteralPw-33@scratch.lit-host.internal/postgres"
  }
}
`
	_, err := config.Parse("c.hcl", []byte(src), dataOptions())
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	want := []string{
		`postgres.dsn: provider "alpha": put the DSN in env() or file(): it holds a password`,
		`postgres.dsn: provider "bravo": put the DSN in env() or file(): it holds a password`,
		`http.url: provider "alpha": put the URL in env() or file(): it holds a password`,
		`http.url: provider "bravo": URL scheme must be http or https`,
		`s3.access_key: put the key in env() or file()`,
		`s3.secret_key: put the key in env() or file()`,
		`restore.dsn: put the DSN in env() or file(): it holds a password`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("no message %q in\n%v", w, err)
		}
	}
	for _, part := range []string{"LiteralPw", "LiteralKey", "LiteralSecret", "lit-host"} {
		if strings.Contains(err.Error(), part) {
			t.Errorf("%q quoted:\n%v", part, err)
		}
	}
}

// A restore drill with restore.dsn needs no data block: the dump is
// restored into the server it names.
func TestRestoreDrillWithDSNOnly(t *testing.T) {
	src := svc(local) + "drill \"r\" {\n  service = \"www\"\n  mode = \"restore\"\n  restore {\n    dsn = env(\"SCRATCH\")\n  }\n}\n"
	opts := dataOptions()
	lookup := opts.LookupEnv
	opts.LookupEnv = func(k string) (string, bool) {
		if k == "SCRATCH" {
			return "postgres://u:secret-pw@127.0.0.1/db", true
		}
		return lookup(k)
	}
	cfg, err := config.Parse("testdata/case.hcl", []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Drills[0].Restore; r == nil || r.DSN == "" || r.Data != "" {
		t.Fatalf("restore: %+v", r)
	}
}
