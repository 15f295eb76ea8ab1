package terraform

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as a fake terraform (terraform-exec's own trick):
// with fakeRecordEnv set it records its arguments, environment and variable
// file, answers like the CLI would, and exits. It checks the command lines
// and environment this package builds, without a real binary.
const fakeRecordEnv = "LIFEBOAT_FAKE_TF_RECORD"

// fakePassEnv passes the fake's settings to it: nothing else of the test's
// environment reaches the CLI.
var fakePassEnv = []string{"LIFEBOAT_FAKE_TF_*"}

type fakeCall struct {
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env"`
	VarFile string            `json:"var_file"` // its contents
	VarPath string            `json:"var_path"`
	Dir     string            `json:"dir"`
}

// With fakeFailEnv set the fake's plan and apply fail; with fakeBlockEnv
// set they write that file (their pid and variable file, see fakeBlocked)
// and then wait to be stopped.
const (
	fakeFailEnv  = "LIFEBOAT_FAKE_TF_FAIL"
	fakeBlockEnv = "LIFEBOAT_FAKE_TF_BLOCK"
)

type fakeBlocked struct {
	Pid     int    `json:"pid"`
	VarPath string `json:"var_path"`
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childApplyEnv); spec != "" {
		os.Exit(childApply(spec))
	}
	if rec := os.Getenv(fakeRecordEnv); rec != "" {
		os.Exit(fakeTerraform(rec, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func fakeTerraform(rec string, args []string) int {
	call := fakeCall{Args: args, Env: map[string]string{}}
	call.Dir, _ = os.Getwd()
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		call.Env[k] = v
	}
	for _, a := range args {
		if p, ok := strings.CutPrefix(a, "-var-file="); ok {
			b, _ := os.ReadFile(p)
			call.VarFile = string(b)
			call.VarPath = p
		}
	}
	b, _ := json.Marshal(call)
	f, err := os.OpenFile(rec, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return 97
	}
	f.Write(append(b, '\n'))
	f.Close()

	if args[0] == "plan" || args[0] == "apply" {
		if os.Getenv(fakeFailEnv) != "" {
			fmt.Fprintln(os.Stderr, "Error: the fake fails as asked")
			return 1
		}
		if marker := os.Getenv(fakeBlockEnv); marker != "" {
			b, _ := json.Marshal(fakeBlocked{Pid: os.Getpid(), VarPath: call.VarPath})
			// Written whole, then renamed: the test never reads half of it.
			if os.WriteFile(marker+".tmp", b, 0o600) != nil || os.Rename(marker+".tmp", marker) != nil {
				return 96
			}
			time.Sleep(time.Minute) // until SIGINT or SIGKILL; bounded all the same
			return 95
		}
	}
	cmd := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case cmd == "version -json":
		fmt.Println(`{"terraform_version":"1.10.6","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}`)
	case cmd == "workspace list":
		fmt.Println("* default")
	case cmd == "workspace new", cmd == "workspace select":
		os.MkdirAll(".terraform", 0o755)
		os.WriteFile(".terraform/environment", []byte(args[len(args)-1]), 0o644)
	case args[0] == "plan":
		return 2 // changes present (-detailed-exitcode)
	case args[0] == "apply":
		fmt.Println(`{"@level":"info","@message":"Apply complete!","type":"change_summary"}`)
	case args[0] == "output":
		fmt.Println(`{"web":{"sensitive":false,"type":"string","value":"192.0.2.7"}}`)
	case args[0] == "init":
		os.MkdirAll(".terraform", 0o755)
	}
	return 0
}

func readCalls(t *testing.T, path string) []fakeCall {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls []fakeCall
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c fakeCall
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.Args[0] != "version" { // terraform-exec asks once per Terraform, when it needs to
			calls = append(calls, c)
		}
	}
	return calls
}

func TestCommandLinesAndEnvironment(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	rec := filepath.Join(tmp, "calls.jsonl")
	dir := filepath.Join(tmp, "infra")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# empty\n"), 0o644)
	cliConfig := filepath.Join(tmp, "tofurc")
	os.WriteFile(cliConfig, nil, 0o644)

	t.Setenv(fakeRecordEnv, rec)
	varDir := filepath.Join(tmp, "state", VarDirName)
	t.Setenv("TF_VAR_ambient", "from-env")
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent/tofurc")
	w, err := Open(dir, "staging", Options{Binary: exe, CLIConfigFile: cliConfig, PluginCacheDir: filepath.Join(tmp, "cache"), VarDir: varDir, PassEnv: fakePassEnv})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if w.Prepared() {
		t.Error("Prepared before Prepare")
	}
	if err := w.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if !w.Prepared() {
		t.Error("not Prepared after Prepare")
	}
	if err := w.Prepare(ctx); err != nil { // must run nothing
		t.Fatal(err)
	}
	secret := "hunter22-secret"
	changes, err := w.Plan(ctx, map[string]string{"active": "true", "token": secret}, filepath.Join(tmp, "out.tfplan"))
	if err != nil || !changes {
		t.Fatalf("Plan = %v, %v; want changes", changes, err)
	}
	var events []Event
	if err := w.Apply(ctx, map[string]string{"active": "true"}, func(e Event) { events = append(events, e) }); err != nil {
		t.Fatal(err)
	}
	if err := w.ApplyPlan(ctx, filepath.Join(tmp, "out.tfplan"), nil); err != nil {
		t.Fatal(err)
	}
	addrs, err := w.Addresses(ctx, "web")
	if err != nil || !slices.Equal(addrs, []string{"192.0.2.7"}) {
		t.Fatalf("Addresses = %v, %v", addrs, err)
	}

	calls := readCalls(t, rec)
	var names []string
	for _, c := range calls {
		names = append(names, strings.Join(c.Args[:min(2, len(c.Args))], " "))
	}
	wantNames := []string{"init -no-color", "workspace list", "workspace new", "plan -no-color", "apply -no-color", "apply -no-color", "output -no-color"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("commands %q, want %q (the second Prepare must run nothing)", names, wantNames)
	}
	for _, c := range calls {
		if c.Dir != w.Dir() {
			t.Errorf("%v ran in %s, want %s", c.Args, c.Dir, w.Dir())
		}
		for k, want := range map[string]string{
			"TF_CLI_CONFIG_FILE":  cliConfig,
			"TF_PLUGIN_CACHE_DIR": filepath.Join(tmp, "cache"),
			"TF_IN_AUTOMATION":    "1",
			"CHECKPOINT_DISABLE":  "1",
		} {
			if c.Env[k] != want {
				t.Errorf("%v: %s=%q, want %q", c.Args, k, c.Env[k], want)
			}
		}
		if v, ok := c.Env["TF_VAR_ambient"]; ok {
			t.Errorf("%v: TF_VAR_ambient=%q passed through", c.Args, v)
		}
		if slices.ContainsFunc(c.Args, func(a string) bool { return strings.Contains(a, secret) }) {
			t.Errorf("%v: a variable value is on the command line", c.Args)
		}
	}
	if got := calls[2].Args; got[len(got)-1] != "staging" {
		t.Errorf("workspace new %v, want staging", got)
	}
	plan := calls[3]
	if !slices.Contains(plan.Args, "-out="+filepath.Join(tmp, "out.tfplan")) || !slices.Contains(plan.Args, "-input=false") {
		t.Errorf("plan args %v", plan.Args)
	}
	if plan.Env["TF_VAR_token"] != secret || plan.Env["TF_VAR_active"] != "true" || plan.VarPath != "" {
		t.Errorf("plan: TF_VAR_token %q, TF_VAR_active %q, var file %q; want the variables in its environment only",
			plan.Env["TF_VAR_token"], plan.Env["TF_VAR_active"], plan.VarPath)
	}
	apply := calls[4]
	if !slices.Contains(apply.Args, "-json") || !slices.Contains(apply.Args, "-auto-approve") || apply.Env["TF_VAR_active"] != "true" || apply.VarPath != "" {
		t.Errorf("apply %v with TF_VAR_active %q, var file %q", apply.Args, apply.Env["TF_VAR_active"], apply.VarPath)
	}
	if _, ok := apply.Env["TF_VAR_token"]; ok {
		t.Error("apply got the plan's variable: variables must not outlive their command")
	}
	applyPlan := calls[5]
	if last := applyPlan.Args[len(applyPlan.Args)-1]; last != filepath.Join(tmp, "out.tfplan") || applyPlan.VarPath != "" {
		t.Errorf("apply plan %v", applyPlan.Args)
	}
	if len(events) != 1 || events[0].Type != "change_summary" {
		t.Errorf("events %+v, want the fake's change_summary", events)
	}
	// Only plan and apply see variables.
	for i, c := range calls {
		if i == 3 || i == 4 {
			continue
		}
		for k := range c.Env {
			if strings.HasPrefix(k, "TF_VAR_") {
				t.Errorf("%v: %s in its environment", c.Args[:min(2, len(c.Args))], k)
			}
		}
	}
	assertNoVarFiles(t, varDir)

	// A changed configuration makes Prepare init again.
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# changed\n"), 0o644)
	if w.Prepared() {
		t.Error("Prepared after the configuration changed")
	}
}
