package config

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
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

// IsSecret reports whether v was produced by env() or file(): such a value
// may be a secret, so it never goes into a plan, a log or the journal.
func (c *Config) IsSecret(v string) bool { return c.secrets[v] }
