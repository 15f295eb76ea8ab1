package config

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Path resolves a path written in the configuration (state.path,
// terraform dirs, cli_config_file, plugin_cache_dir) against the
// configuration file's directory. Absolute paths and "" are returned
// unchanged.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Rel is p relative to the configuration's directory when it lies below
// it, for messages; otherwise p as it is.
func (c *Config) Rel(p string) string {
	if r, err := filepath.Rel(c.Dir, p); err == nil && c.Dir != "" && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// AttrRange returns where attribute name was written in the block whose
// Range is block (e.g. AttrRange(svc.Range, "ttl")), so later checks can
// point at it. It returns block itself when the attribute was not written
// (it took its default) or the configuration was not loaded from a file.
func (c *Config) AttrRange(block hcl.Range, name string) hcl.Range {
	if r, ok := c.attrRanges[block][name]; ok {
		return r
	}
	return block
}

// IsSecret reports whether v was produced by env() or file(), or is the
// whole value of a secret var or URL: such a value may be a secret, so it
// never goes into a plan, a log or the journal. Values shorter than 4
// bytes are not tracked. The per-attribute marks (Workspace.SecretVars,
// Service.SecretVars, HTTPCheck.URLSecret) are authoritative: decide with
// them what to hide, and keep IsSecret and Redact as a last guard for text.
func (c *Config) IsSecret(v string) bool { return c.secrets[v] }

// Redact replaces every value produced by env() or file() (of 4 bytes or
// more) in s with <hidden>, longest first, and the host, host:port and
// URL parts of one (redact.Secrets). It is the last guard for text
// that may quote a secret (a probe's error, a command's output); values
// marked secret per attribute never get that far.
func (c *Config) Redact(s string) string {
	if c == nil || len(c.secrets) == 0 || s == "" {
		return s
	}
	c.redactOnce.Do(func() {
		vals := make([]string, 0, len(c.secrets))
		for v := range c.secrets {
			vals = append(vals, v)
		}
		c.redactor = redact.Secrets(vals...)
	})
	return c.redactor.String(s)
}
