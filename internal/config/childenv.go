package config

import (
	"regexp"
	"strings"
)

// Child processes (exec checks, the terraform CLI) get a minimal
// environment, not the daemon's: the daemon's holds the operate token, the
// webhook secret and DNS credentials, which a check script or a provider
// plugin has no business reading. What else they need is named in their
// block's pass_env.

// BaseEnv names the variables every child process gets from lifeboat's
// environment when they are set: what a program needs to find commands,
// files, its locale and time zone, and the network (proxies, CA files).
var BaseEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
}

// TerraformBaseEnv adds what the terraform CLI itself reads; terraform
// block settings (cli_config_file, plugin_cache_dir) override the first two.
// TF_LOG* are set by lifeboat (logging is off).
var TerraformBaseEnv = []string{"TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR", "CHECKPOINT_DISABLE"}

// envName is what pass_env may list: a variable name, or a prefix ending
// in * ("AWS_*").
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\*?$`)

// ChildEnv keeps the entries of environ ("NAME=value") named by any of
// the lists; a name ending in * keeps every variable with that prefix.
func ChildEnv(environ []string, lists ...[]string) []string {
	var out []string
	for _, kv := range environ {
		k, _, ok := strings.Cut(kv, "=")
		if ok && k != "" && envListed(k, lists) {
			out = append(out, kv)
		}
	}
	return out
}

func envListed(k string, lists [][]string) bool {
	for _, l := range lists {
		for _, n := range l {
			if p, ok := strings.CutSuffix(n, "*"); ok && strings.HasPrefix(k, p) || n == k {
				return true
			}
		}
	}
	return false
}

// passEnv converts a pass_env list: names or prefixes (NAME_*), no
// repeats; refused lists the names (prefixes) the child may not be given
// this way, with why.
func (b *blk) passEnv(vs []string, refused func(string) string) []string {
	if !b.ok("pass_env") || vs == nil {
		return nil
	}
	for _, n := range vs {
		if n == "*" {
			b.errf("pass_env", `"*" would pass the whole environment, secrets included: list the names`)
			return nil
		}
		if !envName.MatchString(n) {
			b.errf("pass_env", "%q is not an environment variable name (letters, digits and _, not starting with a digit; a trailing * for a prefix)", n)
			return nil
		}
		if refused != nil {
			if why := refused(n); why != "" {
				b.errf("pass_env", "%q: %s", n, why)
				return nil
			}
		}
	}
	if !b.names("pass_env", vs) {
		return nil
	}
	return vs
}

// terraformManagedEnv refuses what lifeboat and terraform-exec set
// themselves for the CLI.
func terraformManagedEnv(n string) string {
	switch {
	case strings.HasPrefix(n, "TF_VAR_"):
		return "workspace variables come from vars (env() there reads the environment)"
	case strings.HasPrefix(n, "TF_LOG"), strings.HasPrefix(n, "TF_CLI_ARGS"), n == "TF_WORKSPACE", n == "TF_INPUT",
		n == "TF_IN_AUTOMATION", n == "TF_REATTACH_PROVIDERS", n == "TF_APPEND_USER_AGENT",
		n == "TF_DISABLE_PLUGIN_TLS", n == "TF_SKIP_PROVIDER_VERIFY":
		return "set by lifeboat for every command, not passed"
	}
	return ""
}
