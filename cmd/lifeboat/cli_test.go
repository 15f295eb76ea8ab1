package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func TestUnknownCommandIsUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "failovr")
	if code != exitInvalid {
		t.Fatalf("unknown command: exit %d, want %d (README: bad usage is 2); stderr %q", code, exitInvalid, errOut)
	}
	if !strings.Contains(errOut, `unknown command "failovr"`) || !strings.Contains(errOut, "failover") {
		t.Fatalf("stderr %q: want the unknown command and cobra's suggestion", errOut)
	}
}

func TestStatusExitCode(t *testing.T) {
	a := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	cfg := writeStatusConfig(t, []string{a.Addr})
	if code, _, errOut := runCLI(t, "status", "-c", cfg, "--exit-code"); code != exitOK {
		t.Fatalf("healthy with --exit-code: exit %d, want 0: %s", code, errOut)
	}
	a.Stop()
	// fail_after 2: two failed rounds make aws down.
	code, out, errOut := runCLI(t, "status", "-c", cfg, "--rounds", "2", "--exit-code")
	if code != exitDown {
		t.Fatalf("aws down with --exit-code: exit %d, want %d: %s", code, exitDown, errOut)
	}
	if !strings.Contains(out, "aws       down") || !strings.Contains(errOut, "aws down") {
		t.Fatalf("the table is still printed and stderr names the provider:\nstdout %s\nstderr %s", out, errOut)
	}
	if code, _, _ := runCLI(t, "status", "-c", cfg, "--rounds", "2", "-o", "json", "--exit-code"); code != exitDown {
		t.Fatalf("json: exit %d, want %d", code, exitDown)
	}
	if code, _, _ := runCLI(t, "status", "-c", cfg, "--rounds", "2"); code != exitOK {
		t.Fatalf("without --exit-code: exit %d, want 0", code)
	}
}

// The first signal names the step it stops, and claims none when none runs.
func TestInterruptMessageNamesTheStep(t *testing.T) {
	s := &session{g: &globals{stdout: &strings.Builder{}, stderr: &strings.Builder{}}}
	defer inFlight.set("")
	if got := interruptMessage("SIGTERM", inFlight.get()); got != "\nlifeboat: SIGTERM received: stopping (send it again to exit at once)\n" {
		t.Errorf("nothing in flight: %q", got)
	}
	s.progress(wire.Event{Step: "apply:bravo", Phase: wire.PhaseStart})
	if got := interruptMessage("SIGTERM", inFlight.get()); !strings.Contains(got, "stopping step apply:bravo, in flight") {
		t.Errorf("apply in flight: %q", got)
	}
	s.progress(wire.Event{Step: "apply:bravo", Phase: wire.PhaseDone})
	if got := inFlight.get(); got != "" {
		t.Errorf("after the step is done: in flight %q", got)
	}
	s.progress(wire.Event{Phase: wire.PhaseInfo, Message: "round 1 of up to 3"})
	if got := inFlight.get(); got != "" {
		t.Errorf("a note outside any step set in flight to %q", got)
	}
}

// validate --no-env checks the production example without its secrets,
// and names the variables it did not have.
func TestValidateNoEnv(t *testing.T) {
	const example = "../../examples/production/lifeboat.hcl"
	for _, name := range []string{"CLOUDFLARE_API_TOKEN", "DESEC_TOKEN", "LIFEBOAT_READ_TOKEN"} {
		if v, ok := os.LookupEnv(name); ok {
			t.Setenv(name, v) // restored after the test
			os.Unsetenv(name)
		}
	}
	if code, _, errOut := runCLI(t, "validate", "-c", example); code != exitInvalid || !strings.Contains(errOut, "CLOUDFLARE_API_TOKEN is not set") {
		t.Fatalf("without --no-env: exit %d, want 2 naming the unset variable: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "validate", "-c", example, "--no-env")
	if code != exitOK || !strings.Contains(out, "valid (2 providers, 1 service, 2 DNS providers)") {
		t.Fatalf("--no-env: exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "not set") || !strings.Contains(errOut, "CLOUDFLARE_API_TOKEN, DESEC_TOKEN") {
		t.Errorf("--no-env does not name the variables not set: %q", errOut)
	}
	code, out, _ = runCLI(t, "validate", "-c", example, "--no-env", "-o", "json")
	var doc struct {
		Valid    bool     `json:"valid"`
		UnsetEnv []string `json:"unset_env"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || !doc.Valid || !slices.Contains(doc.UnsetEnv, "LIFEBOAT_READ_TOKEN") {
		t.Fatalf("--no-env -o json: exit %d, %v: %s", code, err, out)
	}
	// Another mistake is still found.
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bad, append(src, "\npolicy {\n  nonsense = 1\n}\n"...), 0o600)
	if code, _, errOut := runCLI(t, "validate", "-c", bad, "--no-env"); code != exitInvalid || !strings.Contains(errOut, "bad.hcl:") || !strings.Contains(errOut, "not set") {
		t.Fatalf("--no-env with a mistake: exit %d: %s", code, errOut)
	}
}

// make man writes a page per command, options included; completion is
// cobra's, and answers for each shell.
func TestManPagesAndCompletion(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "gen-man", dir); code != 0 {
		t.Fatalf("gen-man: exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "lifeboat-failover.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".TH \"LIFEBOAT\" \"1\"", `\fB--from\fP`, `\fB--yes\fP`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("lifeboat-failover.1 lacks %q:\n%s", want, page)
		}
	}
	for _, name := range []string{"lifeboat.1", "lifeboat-status.1", "lifeboat-validate.1", "lifeboat-hold.1"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("no %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "lifeboat-gen-man.1")); err == nil {
		t.Error("the hidden gen-man command has a page")
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if code, out, _ := runCLI(t, "completion", shell); code != 0 || !strings.Contains(out, "lifeboat") {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, len(out))
		}
	}
}
