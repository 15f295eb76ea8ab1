package terraform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestBuildEnv(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin",
		"HOME=/root",
		"LC_ALL=C.UTF-8",
		"TF_CLI_CONFIG_FILE=/nonexistent/tofurc", // the stray value some machines carry
		"TF_VAR_token=hunter22",
		"TF_WORKSPACE=prod",
		"TF_LOG=TRACE",
		"TF_IN_AUTOMATION=",
		"TF_CLI_ARGS_plan=-refresh=false",
		"EMPTY=",
		"LIFEBOAT_OPERATE_TOKEN=operate-secret",
		"CF_API_TOKEN=dns-secret",
		"AWS_ACCESS_KEY_ID=AKIA1",
		"AWS_SECRET_ACCESS_KEY=aws-secret",
		"HCLOUD_TOKEN=hcloud-secret",
		"HCLOUD_TOKEN_OLD=not-listed",
	}
	env, dropped := buildEnv(environ, Options{CLIConfigFile: "/etc/lifeboat/tofurc", PluginCacheDir: "/var/cache/tf",
		PassEnv: []string{"AWS_*", "HCLOUD_TOKEN", "TF_*"}})
	want := map[string]string{
		"PATH":                  "/usr/bin",
		"HOME":                  "/root",
		"LC_ALL":                "C.UTF-8",
		"TF_CLI_CONFIG_FILE":    "/etc/lifeboat/tofurc",
		"TF_PLUGIN_CACHE_DIR":   "/var/cache/tf",
		"CHECKPOINT_DISABLE":    "1",
		"AWS_ACCESS_KEY_ID":     "AKIA1",
		"AWS_SECRET_ACCESS_KEY": "aws-secret",
		"HCLOUD_TOKEN":          "hcloud-secret",
	}
	if d := cmp.Diff(want, env); d != "" {
		t.Errorf("env (-want +got):\n%s", d)
	}
	// TF_* passes the managed names through the filter; they are dropped.
	if d := cmp.Diff([]string{"TF_CLI_ARGS_plan", "TF_IN_AUTOMATION", "TF_LOG", "TF_VAR_token", "TF_WORKSPACE"}, dropped); d != "" {
		t.Errorf("dropped (-want +got):\n%s", d)
	}

	// Without a configured CLI config the inherited one stays; nothing
	// beyond the base without pass_env.
	env, _ = buildEnv(environ, Options{})
	if env["TF_CLI_CONFIG_FILE"] != "/nonexistent/tofurc" {
		t.Errorf("TF_CLI_CONFIG_FILE = %q, want the inherited value", env["TF_CLI_CONFIG_FILE"])
	}
	for _, k := range []string{"TF_PLUGIN_CACHE_DIR", "AWS_ACCESS_KEY_ID", "HCLOUD_TOKEN", "LIFEBOAT_OPERATE_TOKEN", "CF_API_TOKEN", "EMPTY"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q passed without being listed", k, v)
		}
	}
}

// Variables are in the environment only while a command needs them.
func TestSetVars(t *testing.T) {
	w := &Workspace{env: map[string]string{"PATH": "/usr/bin"}}
	undo := w.setVars(map[string]string{"token": "hunter22", "zones": `["a", "b"]`})
	want := map[string]string{"PATH": "/usr/bin", "TF_VAR_token": "hunter22", "TF_VAR_zones": `["a", "b"]`}
	if d := cmp.Diff(want, w.env); d != "" {
		t.Errorf("env during the command (-want +got):\n%s", d)
	}
	undo()
	if d := cmp.Diff(map[string]string{"PATH": "/usr/bin"}, w.env); d != "" {
		t.Errorf("env after the command (-want +got):\n%s", d)
	}
}

func TestRedact(t *testing.T) {
	vals := []string{"hunter22", `pa"ss\word`, "abc", "hunter2"}
	for _, tc := range []struct{ in, want string }{
		{"token=hunter22 end", "token=<hidden> end"},
		{"prefix hunter2x", "prefix <hidden>x"},              // the shorter value alone
		{`{"v":"pa\"ss\\word"}`, `{"v":"<hidden>"}`},         // JSON-escaped form
		{`raw pa"ss\word`, `raw <hidden>`},                   // raw form
		{"abc is short and stays", "abc is short and stays"}, // 3 bytes or fewer are not hidden
		{"", ""},
	} {
		if got := hideValues(tc.in, vals); got != tc.want {
			t.Errorf("hideValues(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLastLines(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		b.WriteString("line " + string(rune('a'+i%26)) + "\n\n")
	}
	got := lastLines(b.String(), 3)
	if d := cmp.Diff([]string{"line b", "line c", "line d"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestTailBufferBounded(t *testing.T) {
	b := newTailBuffer(10)
	for range 100 {
		b.Write([]byte("0123456789abc"))
	}
	if got := b.String(); got != "3456789abc" {
		t.Errorf("tail %q, want %q", got, "3456789abc")
	}
}

func TestDecodeAddresses(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    []string
		wantErr bool
	}{
		{`"192.0.2.1"`, []string{"192.0.2.1"}, false},
		{`["192.0.2.1","2001:db8::1"]`, []string{"192.0.2.1", "2001:db8::1"}, false},
		{`["192.0.2.1", "", null]`, []string{"192.0.2.1"}, false},
		{`[]`, []string{}, false},
		{`null`, nil, false},
		{`""`, nil, false},
		{`[1, 2]`, nil, true},
		{`{"a":"b"}`, nil, true},
		{`42`, nil, true},
	} {
		got, err := decodeAddresses(json.RawMessage(tc.raw))
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v, want error %v", tc.raw, err, tc.wantErr)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.raw, d)
		}
	}
	_, err := addressesFrom(map[string]json.RawMessage{"web": json.RawMessage(`"x"`)}, "web_ipv4")
	if !errors.Is(err, ErrNoOutput) || !strings.Contains(err.Error(), "web") {
		t.Errorf("missing output: %v, want ErrNoOutput naming the outputs there are", err)
	}
}

// Lines as OpenTofu 1.10 writes them with -json.
var uiLines = []string{
	`{"@level":"info","@message":"OpenTofu 1.10.6","@module":"tofu.ui","@timestamp":"2026-11-25T12:00:00.000000Z","tofu":"1.10.6","type":"version","ui":"1.2"}`,
	`{"@level":"info","@message":"terraform_data.host[0]: Plan to create","@module":"tofu.ui","@timestamp":"2026-11-25T12:00:00.100000Z","change":{"resource":{"addr":"terraform_data.host[0]","module":"","resource":"terraform_data.host[0]","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"host","resource_key":0},"action":"create"},"type":"planned_change"}`,
	`{"@level":"info","@message":"terraform_data.host[0]: Creating...","@module":"tofu.ui","@timestamp":"2026-11-25T12:00:00.200000Z","hook":{"resource":{"addr":"terraform_data.host[0]"},"action":"create"},"type":"apply_start"}`,
	`{"@level":"info","@message":"terraform_data.host[0]: Creation complete after 2s [id=abc]","@module":"tofu.ui","@timestamp":"2026-11-25T12:00:02.200000Z","hook":{"resource":{"addr":"terraform_data.host[0]"},"action":"create","id_key":"id","id_value":"abc","elapsed_seconds":2},"type":"apply_complete"}`,
	`{"@level":"error","@message":"Error: local-exec provisioner error","@module":"tofu.ui","@timestamp":"2026-11-25T12:00:03Z","diagnostic":{"severity":"error","summary":"local-exec provisioner error","detail":"Error running command 'echo token=hunter22; exit 3': exit status 3.\nOutput: token=hunter22\n"},"type":"diagnostic"}`,
}

func TestEventWriter(t *testing.T) {
	var got []Event
	w := newEventWriter(func(e Event) { got = append(got, e) }, func(s string) string { return hideValues(s, []string{"hunter22"}) })
	// Feed the stream in awkward pieces: events are whole lines regardless.
	stream := strings.Join(uiLines, "\n") + "\nnot json at all"
	for i := 0; i < len(stream); i += 7 {
		w.Write([]byte(stream[i:min(i+7, len(stream))]))
	}
	errs := w.errorLines()
	ts := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	want := []Event{
		{Time: ts("2026-11-25T12:00:00Z"), Type: "version", Level: "info", Message: "OpenTofu 1.10.6"},
		{Time: ts("2026-11-25T12:00:00.1Z"), Type: "planned_change", Level: "info", Resource: "terraform_data.host[0]", Action: "create", Message: "terraform_data.host[0]: Plan to create"},
		{Time: ts("2026-11-25T12:00:00.2Z"), Type: "apply_start", Level: "info", Resource: "terraform_data.host[0]", Action: "create", Message: "terraform_data.host[0]: Creating..."},
		{Time: ts("2026-11-25T12:00:02.2Z"), Type: "apply_complete", Level: "info", Resource: "terraform_data.host[0]", Action: "create", Message: "terraform_data.host[0]: Creation complete after 2s [id=abc]", Elapsed: 2 * time.Second},
		{Time: ts("2026-11-25T12:00:03Z"), Type: "diagnostic", Level: "error", Message: "Error: local-exec provisioner error: Error running command 'echo token=<hidden>; exit 3': exit status 3. Output: token=<hidden>"},
		{Type: "text", Level: "info", Message: "not json at all"},
	}
	if len(got) == len(want) {
		got[5].Time = time.Time{} // "now"
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "Error: local-exec provisioner error") || strings.Contains(errs[0], "hunter22") {
		t.Errorf("error lines %q, want the one diagnostic, redacted", errs)
	}
}

func TestFindBinary(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("PATH", dir)
	if _, err := FindBinary(""); !errors.Is(err, ErrNoBinary) {
		t.Errorf("empty PATH: %v, want ErrNoBinary", err)
	}
	tfPath := mk("terraform", 0o755)
	if got, err := FindBinary(""); err != nil || got != tfPath {
		t.Errorf(`FindBinary("") = %q, %v; want terraform when tofu is absent`, got, err)
	}
	tofuPath := mk("tofu", 0o755)
	if got, err := FindBinary(""); err != nil || got != tofuPath {
		t.Errorf(`FindBinary("") = %q, %v; want tofu first`, got, err)
	}
	if got, err := FindBinary("terraform"); err != nil || got != tfPath {
		t.Errorf(`FindBinary("terraform") = %q, %v`, got, err)
	}
	plain := mk("plain", 0o644)
	for _, name := range []string{plain, filepath.Join(dir, "missing"), dir, "no-such-tool"} {
		if _, err := FindBinary(name); !errors.Is(err, ErrNoBinary) {
			t.Errorf("FindBinary(%q): %v, want ErrNoBinary", name, err)
		}
	}
	if !slices.Equal(defaultBinaries, []string{"tofu", "terraform"}) {
		t.Errorf("default order %v", defaultBinaries)
	}
}

func TestFromConfig(t *testing.T) {
	cfg := &config.Config{
		Dir: "/etc/lifeboat",
		Terraform: config.TerraformCLI{
			Binary:         "bin/tofu",
			CLIConfigFile:  "tofurc",
			PluginCacheDir: "/var/cache/tf",
			Timeout:        time.Minute,
		},
	}
	opts := OptionsFromConfig(cfg, nil)
	want := Options{Binary: "/etc/lifeboat/bin/tofu", CLIConfigFile: "/etc/lifeboat/tofurc", PluginCacheDir: "/var/cache/tf", Timeout: time.Minute}
	if d := cmp.Diff(want, opts); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Variable files go next to the journal.
	cfg.State.Path = "state/lifeboat.db"
	if got := OptionsFromConfig(cfg, nil).VarDir; got != "/etc/lifeboat/state/.lifeboat-vars" {
		t.Errorf("VarDir %q, want the journal's directory", got)
	}
	cfg.State.Path = "/var/lib/lifeboat/lifeboat.db"
	if got := OptionsFromConfig(cfg, nil).VarDir; got != "/var/lib/lifeboat/.lifeboat-vars" {
		t.Errorf("VarDir %q, want the journal's directory", got)
	}
	cfg.Terraform.Binary = "terraform"
	if got := OptionsFromConfig(cfg, nil).Binary; got != "terraform" {
		t.Errorf("bare name became %q; want it left for PATH", got)
	}

	if _, err := OpenProvider(cfg, &config.Provider{Name: "bare"}, opts); err == nil {
		t.Error("OpenProvider without a terraform block succeeded")
	}
}
