package terraform

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// initArgsEnv carries the secret backend settings to init. The CLI reads
// extra arguments of one command from TF_CLI_ARGS_<command>; a process's
// environment is readable only by its own user, while its command line is
// readable by every user of the machine (ps, /proc/PID/cmdline).
const initArgsEnv = "TF_CLI_ARGS_init"

// backendConfig returns the init options for the workspace's backend
// settings that are not secret (-backend-config=key=value, in key order)
// and sets the secret ones in the environment of the next commands; the
// returned function takes them out again. Call it under the workspace
// lock, around init only.
func (w *Workspace) backendConfig() ([]tfexec.InitOption, func()) {
	var opts []tfexec.InitOption
	var secret []string
	for _, k := range sortedKeys(w.opts.BackendConfig) {
		v := w.opts.BackendConfig[k]
		if w.opts.SecretBackendConfig[k] {
			secret = append(secret, shellQuote("-backend-config="+k+"="+v))
			continue
		}
		opts = append(opts, tfexec.BackendConfig(k+"="+v))
	}
	if len(secret) == 0 {
		return opts, func() {}
	}
	w.env[initArgsEnv] = strings.Join(secret, " ")
	return opts, func() { delete(w.env, initArgsEnv) }
}

// protectBackendState makes the file where init keeps the backend's
// settings (secret ones included, as given) readable by lifeboat's user
// only; the CLI writes it world-readable.
func (w *Workspace) protectBackendState() error {
	if len(w.opts.SecretBackendConfig) == 0 {
		return nil
	}
	err := os.Chmod(filepath.Join(w.dataDir, "terraform.tfstate"), 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// shellQuote quotes s for the CLI's reading of TF_CLI_ARGS_*, which splits
// words as a POSIX shell does: inside single quotes nothing is special, and
// a single quote is written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// backendDigest stands for the backend settings in the init stamp, so a
// changed setting runs init again. One digest over all of them: the stamp
// file never holds a value, nor a digest of one value alone.
func backendDigest(cfg map[string]string) string {
	if len(cfg) == 0 {
		return ""
	}
	h := sha256.New()
	for _, k := range sortedKeys(cfg) {
		fmt.Fprintf(h, "%q=%q\n", k, cfg[k])
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
