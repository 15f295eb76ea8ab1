package testharness

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// TofuEnv names the variable that points the tests at an OpenTofu binary of
// the caller's choice instead of the one `make tools` builds.
const TofuEnv = "LIFEBOAT_TOFU"

// Tofu locates an OpenTofu binary and the CLI config that makes it install
// providers from the local filesystem mirror, so init works offline.
type Tofu struct {
	Binary        string // path of the tofu executable
	CLIConfigFile string // CLI config (provider_installation with the mirror)
	MirrorDir     string // filesystem mirror of providers; may be absent
}

// overrides are the variables Env and EnvMap set on top of the process's own.
func (tf *Tofu) overrides() map[string]string {
	return map[string]string{
		// The machine may point TF_CLI_CONFIG_FILE at a file that does not
		// exist; tofu then warns on every command.
		"TF_CLI_CONFIG_FILE": tf.CLIConfigFile,
		"CHECKPOINT_DISABLE": "1",
	}
}

// Env returns the whole environment for running tofu with exec.Cmd: the
// process's environment with TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE=1 and
// TF_IN_AUTOMATION=1 set. It is the whole environment, not just those
// three, because a non-nil exec.Cmd.Env replaces the inherited one (PATH is
// needed by local-exec provisioners).
func (tf *Tofu) Env() []string {
	set := tf.overrides()
	set["TF_IN_AUTOMATION"] = "1"
	env := make([]string, 0, len(os.Environ())+len(set))
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// EnvMap returns the environment for tfexec.Terraform.SetEnv. SetEnv replaces
// the whole environment, so this is the process's environment plus
// TF_CLI_CONFIG_FILE and CHECKPOINT_DISABLE=1, without the variables tfexec
// refuses to be given (TF_IN_AUTOMATION, TF_LOG, TF_VAR_*, ...; tfexec sets
// TF_IN_AUTOMATION itself).
func (tf *Tofu) EnvMap() map[string]string {
	env := make(map[string]string, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range tfexec.ProhibitedEnv(env) {
		delete(env, k)
	}
	for k, v := range tf.overrides() {
		env[k] = v
	}
	return env
}

// FindTofu returns $LIFEBOAT_TOFU, or the binary `make tools` builds into
// <repo>/.tools/bin/tofu, with the mirror .tools/mirror and the CLI config
// .tools/tofurc. It Requires the binary. Without .tools/tofurc it writes an
// empty CLI config into a temporary directory, so tofu never reads one the
// machine may name.
func FindTofu(t testing.TB) *Tofu {
	t.Helper()
	Real(t, "OpenTofu")
	root := RepoRoot(t)
	tools := filepath.Join(root, ".tools")
	tf := &Tofu{
		Binary:        filepath.Join(tools, "bin", "tofu"),
		CLIConfigFile: filepath.Join(tools, "tofurc"),
		MirrorDir:     filepath.Join(tools, "mirror"),
	}
	if bin := os.Getenv(TofuEnv); bin != "" {
		p, err := exec.LookPath(bin)
		if err != nil {
			Require(t, "tofu ($"+TofuEnv+"="+bin+")", "point "+TofuEnv+" at an OpenTofu binary, or unset it and run `make tools`")
		}
		tf.Binary = p
	}
	if fi, err := os.Stat(tf.Binary); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		Require(t, "tofu", "run `make tools` (builds OpenTofu into .tools/bin)")
	}
	if _, err := os.Stat(tf.CLIConfigFile); err != nil {
		tf.CLIConfigFile = filepath.Join(t.TempDir(), "tofurc")
		if err := os.WriteFile(tf.CLIConfigFile, nil, 0o644); err != nil {
			t.Fatalf("testharness: write empty CLI config: %v", err)
		}
	}
	return tf
}
