package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// The production example's workspaces keep their state in GitLab's managed
// Terraform state (an http backend, `backend "http" {}` completed by
// backend_config): here a local http state backend that lets in only the
// token from GITLAB_STATE_TOKEN. `lifeboat prepare` initialises both
// workspaces against it; a readiness drill then plans them and is
// journaled. The token is in no output: not lifeboat's, not the CLI's
// (recorded by a wrapper around it, with its arguments), not the journal.
func TestProductionExampleInitialisesWithBackendConfig(t *testing.T) {
	tofu := testharness.FindTofu(t)
	const token = "glpat-Q7x'9\"k$z-2b6e"
	srv := testharness.StartStateServer(t)
	srv.RequireAuth("lifeboat", token)

	dir := t.TempDir()
	copyTree(t, "../../examples/production", dir)
	rec := filepath.Join(dir, "rec")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		t.Fatal(err)
	}
	// The CLI, run through a wrapper that keeps its arguments, its output
	// and whether lifeboat asked it to log.
	wrapper := filepath.Join(dir, "bin", "tofu")
	script := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$*" >> %[1]s/args
printf 'TF_LOG=%%s TF_LOG_PATH=%%s\n' "$TF_LOG" "$TF_LOG_PATH" >> %[1]s/args
%[2]s "$@" > %[1]s/out.$$ 2> %[1]s/err.$$
rc=$?
cat %[1]s/out.$$
cat %[1]s/err.$$ >&2
exit $rc
`, rec, tofu.Binary)
	if err := os.MkdirAll(filepath.Dir(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "lifeboat.hcl")
	journal := filepath.Join(dir, "state", "lifeboat.db")
	edit(t, cfgPath,
		`"https://gitlab.com/`, `"`+srv.URL+`/`,
		`"/var/lib/lifeboat/lifeboat.db"`, fmt.Sprintf("%q", journal),
		`binary = "tofu"`, fmt.Sprintf("binary = %q\n  cli_config_file = %q", wrapper, stubProviderMirror(t, dir)))

	for _, v := range productionEnv {
		t.Setenv(v, "https://hooks.example/"+strings.ToLower(v))
	}
	t.Setenv("GITLAB_STATE_TOKEN", token)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"prepare", "-v", "-c", cfgPath}, strings.NewReader(""), &out, &errb)
	if code != 0 || strings.Count(out.String(), "initialised in") != 2 {
		t.Fatalf("prepare: exit %d\n%s%s", code, out.String(), errb.String())
	}
	reqs := srv.Requests()
	for _, ws := range []string{"hetzner", "digitalocean"} {
		if want := "GET /api/v4/projects/12345678/terraform/state/" + ws + " No Content"; !slices.Contains(reqs, want) {
			t.Errorf("no %q among the state backend's requests %v", want, reqs)
		}
	}
	args := read(t, filepath.Join(rec, "args"))
	if !strings.Contains(args, "init") || !strings.Contains(args, "-backend-config=address="+srv.URL+"/api/v4/projects/12345678/terraform/state/hetzner") {
		t.Errorf("init was not given the backend's address:\n%s", args)
	}
	if strings.Contains(args, "TF_LOG=T") || strings.Contains(args, "TF_LOG=D") || strings.Contains(args, "TF_LOG_PATH=/") {
		t.Errorf("the CLI was asked to log:\n%s", args)
	}

	// A readiness drill plans both workspaces (their stub providers fail
	// the plans) and is journaled.
	var dout, derr bytes.Buffer
	code = run(ctx, []string{"drill", "weekly-readiness", "-v", "-c", cfgPath}, strings.NewReader(""), &dout, &derr)
	if code == 0 {
		t.Errorf("the drill passed with stub providers and no DNS:\n%s%s", dout.String(), derr.String())
	}
	t.Logf("drill:\n%s%s", dout.String(), derr.String())
	var hout, herr bytes.Buffer
	run(ctx, []string{"history", "--drills", "-o", "json", "-c", cfgPath}, strings.NewReader(""), &hout, &herr)
	if !strings.Contains(hout.String(), "weekly-readiness") {
		t.Errorf("the drill is not in the journal:\n%s%s", hout.String(), herr.String())
	}

	// Nothing written anywhere holds the token: lifeboat's output, the
	// CLI's arguments and output, the journal (and its files).
	texts := map[string]string{"prepare output": out.String() + errb.String(), "drill output": dout.String() + derr.String(),
		"drill list": hout.String() + herr.String()}
	for _, d := range []string{rec, filepath.Dir(journal)} {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				texts[p] = read(t, p)
			}
			return nil
		})
	}
	if len(texts) < 6 {
		t.Errorf("only %d texts to search: %v", len(texts), slices.Collect(func(yield func(string) bool) {
			for k := range texts {
				if !yield(k) {
					return
				}
			}
		}))
	}
	for name, text := range texts {
		if strings.Contains(text, token) || strings.Contains(text, "glpat-Q7x") {
			t.Errorf("%s holds the state backend's token", name)
		}
	}
}

// stubProviderMirror lays out a filesystem mirror with the example's two
// providers as stubs (init installs a provider without running it) and
// returns a CLI config that installs from it only.
func stubProviderMirror(t *testing.T, dir string) string {
	t.Helper()
	mirror := filepath.Join(dir, "mirror")
	for _, p := range []string{"hetznercloud/hcloud/1.48.0", "digitalocean/digitalocean/2.40.0"} {
		parts := strings.Split(p, "/")
		d := filepath.Join(mirror, "registry.opentofu.org", p, "linux_amd64")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(d, "terraform-provider-"+parts[1]+"_v"+parts[2])
		if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rc := filepath.Join(dir, "tofurc")
	src := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	if err := os.WriteFile(rc, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return rc
}

// edit replaces each old string (which must be there) by its new one.
func edit(t *testing.T, path string, oldNew ...string) {
	t.Helper()
	s := read(t, path)
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			t.Fatalf("%s has no %q", path, oldNew[i])
		}
		s = strings.ReplaceAll(s, oldNew[i], oldNew[i+1])
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyTree copies a directory of small files.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The state moves to another server (backend_config's addresses change):
// `lifeboat prepare` refuses each workspace and says what to type; both
// flags at once are a usage error; `--migrate-state` initialises against
// the new server with the token lifeboat passes (which an init by hand
// would lack); a plain prepare then has nothing to do.
func TestPrepareAfterTheBackendMoved(t *testing.T) {
	testharness.FindTofu(t)
	const token = "glpat-mv-7c1e0b"
	oldSrv, newSrv := testharness.StartStateServer(t), testharness.StartStateServer(t)
	oldSrv.RequireAuth("lifeboat", token)
	newSrv.RequireAuth("lifeboat", token)
	dir := t.TempDir()
	copyTree(t, "../../examples/production", dir)
	cfgPath := filepath.Join(dir, "lifeboat.hcl")
	tofu := testharness.FindTofu(t)
	edit(t, cfgPath,
		`"https://gitlab.com/`, `"`+oldSrv.URL+`/`,
		`"/var/lib/lifeboat/lifeboat.db"`, fmt.Sprintf("%q", filepath.Join(dir, "state", "lifeboat.db")),
		`binary = "tofu"`, fmt.Sprintf("binary = %q\n  cli_config_file = %q", tofu.Binary, stubProviderMirror(t, dir)))
	for _, v := range productionEnv {
		t.Setenv(v, "https://hooks.example/"+strings.ToLower(v))
	}
	t.Setenv("GITLAB_STATE_TOKEN", token)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prepare := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"prepare", "-c", cfgPath}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := prepare(); code != 0 {
		t.Fatalf("prepare: exit %d\n%s", code, out)
	}

	edit(t, cfgPath, `"`+oldSrv.URL+`/`, `"`+newSrv.URL+`/`)
	code, out := prepare()
	if code != 1 || strings.Count(out, "FAILED") != 2 || !strings.Contains(out, "backend configuration changed") ||
		!strings.Contains(out, "lifeboat prepare --migrate-state") {
		t.Fatalf("prepare with the backend moved: exit %d, want 1 naming both workspaces and what to run:\n%s", code, out)
	}
	t.Logf("prepare with the backend moved:\n%s", out)
	if code, out := prepare("--migrate-state", "--reconfigure"); code != exitInvalid || !strings.Contains(out, "mutually exclusive") {
		t.Errorf("both flags: exit %d, want %d:\n%s", code, exitInvalid, out)
	}
	if slices.ContainsFunc(newSrv.Requests(), func(r string) bool { return !strings.HasSuffix(r, "Unauthorized") }) {
		t.Fatalf("the new backend was used before a flag said so: %v", newSrv.Requests())
	}
	code, out = prepare("--migrate-state")
	if code != 0 || strings.Count(out, "initialised in") != 2 {
		t.Fatalf("prepare --migrate-state: exit %d\n%s", code, out)
	}
	for _, ws := range []string{"hetzner", "digitalocean"} {
		if want := "GET /api/v4/projects/12345678/terraform/state/" + ws + " No Content"; !slices.Contains(newSrv.Requests(), want) {
			t.Errorf("no %q among the new backend's requests %v", want, newSrv.Requests())
		}
	}
	if code, out := prepare(); code != 0 || strings.Count(out, "nothing changed") != 2 {
		t.Errorf("prepare once more: exit %d, want both workspaces unchanged:\n%s", code, out)
	}
	if strings.Contains(out, token) {
		t.Errorf("the output holds the token:\n%s", out)
	}
}
