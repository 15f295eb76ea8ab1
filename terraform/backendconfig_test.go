package terraform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// A password with every character a shell or the CLI's word splitting
// treats specially.
const backendSecret = `p'a"s s$w;o|r\d&-7f3e`

// openWithBackendConfig opens testdata/basic with a partial http backend
// completed by backend_config, its password secret.
func openWithBackendConfig(t *testing.T, s *testharness.StateServer, password string) *Workspace {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/basic", dir)
	if err := os.WriteFile(filepath.Join(dir, "backend.tf"), []byte("terraform {\n  backend \"http\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return openTofuDir(t, dir, "", Options{
		BackendConfig: map[string]string{
			"address": s.URL + "/state", "lock_address": s.URL + "/lock", "unlock_address": s.URL + "/lock",
			"username": "lifeboat", "password": password,
		},
		SecretBackendConfig: map[string]bool{"password": true},
	})
}

// backend_config completes a partial backend at init: the state lands on
// the http backend, which lets in only the configured password; the
// secret setting is never on init's command line, and a setting changed
// later runs init again.
func TestTofuBackendConfig(t *testing.T) {
	s := testharness.StartStateServer(t)
	s.RequireAuth("lifeboat", backendSecret)
	w := openWithBackendConfig(t, s, backendSecret)

	opts, unset := w.backendConfig()
	var line string
	for _, o := range opts {
		line += fmt.Sprintf("%+v ", *o.(*tfexec.BackendConfigOption))
	}
	if strings.Contains(line, backendSecret) || !strings.Contains(line, "address="+s.URL+"/state") {
		t.Errorf("init's command-line options %s: want the address, not the password", line)
	}
	unset()
	if _, ok := w.env[initArgsEnv]; ok {
		t.Errorf("%s stays set after init", initArgsEnv)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := w.Apply(ctx, map[string]string{"active": "true"}, nil); err != nil {
		t.Fatal(err)
	}
	if reqs := s.Requests(); !slices.Contains(reqs, "POST /state OK") {
		t.Fatalf("the state never reached the backend: %v", reqs)
	}
	if _, ok := w.env[initArgsEnv]; ok {
		t.Errorf("%s stays set after Prepare", initArgsEnv)
	}
	// The CLI keeps the settings, as given, in the data directory.
	if fi, err := os.Stat(filepath.Join(w.Dir(), ".terraform", "terraform.tfstate")); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("the CLI's backend settings file has mode %v, want 0600", fi.Mode().Perm())
	}
	if !w.Prepared() {
		t.Error("not Prepared after a successful init")
	}
	w2, err := Open(w.Dir(), "", Options{Binary: w.opts.Binary, CLIConfigFile: w.opts.CLIConfigFile, VarDir: w.opts.VarDir,
		BackendConfig: map[string]string{"address": s.URL + "/other"}})
	if err != nil {
		t.Fatal(err)
	}
	if w2.Prepared() {
		t.Error("Prepared with another backend_config: init would not run again")
	}
}

// When init fails, the CLI's diagnostics may echo a setting (here the
// address, which holds a token, in "connection refused"): the error
// carries them redacted.
func TestTofuBackendConfigSecretRedacted(t *testing.T) {
	const token = "tok-5e1f0c7a9b"
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/basic", dir)
	if err := os.WriteFile(filepath.Join(dir, "backend.tf"), []byte("terraform {\n  backend \"http\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tofu := testharness.FindTofu(t)
	var logs strings.Builder
	w, err := Open(dir, "", Options{Binary: tofu.Binary, CLIConfigFile: tofu.CLIConfigFile, VarDir: filepath.Join(t.TempDir(), VarDirName),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Port 1 on loopback: nothing listens, the request is refused.
		BackendConfig:       map[string]string{"address": "http://127.0.0.1:1/state/" + token, "retry_max": "0"},
		SecretBackendConfig: map[string]bool{"address": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = w.Prepare(ctx)
	var te *Error
	if !errors.As(err, &te) || te.Op != "init" {
		t.Fatalf("prepare against a closed port: %v, want an init *Error", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the secret address: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("the error lost the CLI's diagnostics: %v", err)
	}
	// The same failure again is logged as a warning once, in one line.
	if err2 := w.Prepare(ctx); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("second prepare: %v, want the same error", err2)
	}
	if n := strings.Count(logs.String(), `level=WARN msg="terraform command failed"`); n != 1 {
		t.Errorf("%d warnings for one repeated failure, want 1:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the log shows the secret address:\n%s", logs.String())
	}
}

// A backend_config changed after init (the state moved to another
// server): every command refuses with ErrBackendChanged and says what to
// run, the password nowhere in it; BackendMigrate copies the state to the
// new backend, BackendReconfigure starts from the new backend's own.
func TestTofuBackendChanged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	old := testharness.StartStateServer(t)
	old.RequireAuth("lifeboat", backendSecret)
	w := openWithBackendConfig(t, old, backendSecret)
	if err := w.Apply(ctx, map[string]string{"active": "true"}, nil); err != nil {
		t.Fatal(err)
	}
	want, err := w.Outputs(ctx)
	if err != nil || len(want) == 0 {
		t.Fatalf("outputs at the old backend: %v, %v", want, err)
	}
	moved := func(s *testharness.StateServer) *Workspace {
		o := w.opts
		o.BackendConfig = map[string]string{"address": s.URL + "/state", "lock_address": s.URL + "/lock",
			"unlock_address": s.URL + "/lock", "username": "lifeboat", "password": backendSecret}
		w2, err := Open(w.Dir(), "", o)
		if err != nil {
			t.Fatal(err)
		}
		return w2
	}

	migrated := testharness.StartStateServer(t)
	migrated.RequireAuth("lifeboat", backendSecret)
	w2 := moved(migrated)
	for _, try := range []func() error{
		func() error { return w2.Prepare(ctx) },
		func() error { _, err := w2.Outputs(ctx); return err },
	} {
		err := try()
		if !errors.Is(err, ErrBackendChanged) {
			t.Fatalf("with the backend changed: %v, want ErrBackendChanged", err)
		}
		if !strings.Contains(err.Error(), "lifeboat prepare --migrate-state") || strings.Contains(err.Error(), backendSecret) {
			t.Errorf("the error should say what to run, without the password: %v", err)
		}
	}
	if err := w2.PrepareBackend(ctx, BackendMigrate); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !slices.Contains(migrated.Requests(), "POST /state OK") {
		t.Errorf("the state was not copied to the new backend: %v", migrated.Requests())
	}
	got, err := w2.Outputs(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("outputs after the migration: %v, %v; want %v", got, err, want)
	}

	fresh := testharness.StartStateServer(t)
	fresh.RequireAuth("lifeboat", backendSecret)
	w3 := moved(fresh)
	if err := w3.PrepareBackend(ctx, BackendReconfigure); err != nil {
		t.Fatalf("reconfigure: %v", err)
	}
	if slices.Contains(fresh.Requests(), "POST /state OK") {
		t.Errorf("reconfigure copied the state: %v", fresh.Requests())
	}
	if got, err := w3.Outputs(ctx); err != nil || len(got) != 0 {
		t.Errorf("outputs of the new, empty backend: %v, %v", got, err)
	}
}
