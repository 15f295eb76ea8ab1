package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// The data tier's blocks: a service's data and backup blocks, and a
// drill's restore block. DSNs, URLs and keys are never quoted in a
// message, whether or not they came from env() or file(): a literal one
// may still name hosts and users the reader of a CI log should not see.

// dataSources are the source blocks of a data block, for messages.
const dataSources = "postgres, http or exec"

// serviceData converts a service's rpo, backup_max_age, data and backup
// blocks into s, whose candidates are already known.
func (c *checker) serviceData(b *blk, r *rawService, s *Service, cfg *Config) {
	names := c.uniqueNames(b.where("data"))
	for _, x := range r.Data {
		if d := c.data(b, x, s, cfg); names.add(x.Name, x.NameRange) {
			s.Data = append(s.Data, d)
		}
	}
	names = c.uniqueNames(b.where("backup"))
	for _, x := range r.Backups {
		if k := c.backup(b, x); names.add(x.Name, x.NameRange) {
			s.Backups = append(s.Backups, k)
		}
	}
	s.RPO = b.duration("rpo", r.RPO)
	if s.RPO > 0 && len(r.Data) == 0 {
		b.errf("rpo", "needs at least one data block: the RPO is checked against the age of the service's data at each candidate")
	}
	s.BackupMaxAge = b.duration("backup_max_age", r.BackupMaxAge)
	if b.written("backup_max_age") && len(r.Backups) == 0 {
		b.errf("backup_max_age", "only applies with a backup block: it is the oldest the newest backup may be")
	}
}

type source struct {
	kind string
	def  hcl.Range
}

func (c *checker) data(parent *blk, r *rawData, s *Service, cfg *Config) *Data {
	b := parent.child(r.Body, r.DefRange, "data", r.Name, true)
	d := &Data{Name: r.Name, Range: r.DefRange}
	var sources []source
	for _, x := range r.Postgres {
		sources = append(sources, source{"postgres", x.DefRange})
		d.Postgres = b.postgresData(x, s, cfg)
	}
	for _, x := range r.HTTP {
		sources = append(sources, source{"http", x.DefRange})
		d.HTTP = b.httpData(x, s, cfg)
	}
	for _, x := range r.Exec {
		sources = append(sources, source{"exec", x.DefRange})
		d.Exec = b.execData(x, s, cfg)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].def.Start.Byte < sources[j].def.Start.Byte })
	if len(sources) == 0 {
		b.blockErrf("needs one source block: %s", dataSources)
	}
	for _, x := range sources[min(1, len(sources)):] {
		c.add(x.def, fmt.Sprintf("%s: only one source block per data block, this one already has %s at line %d",
			b.where(x.kind), sources[0].kind, sources[0].def.Start.Line))
	}
	c.once(b, "fence", ranges(r.Fence, func(x *rawFence) hcl.Range { return x.DefRange }))
	c.once(b, "promote", ranges(r.Promote, func(x *rawPromote) hcl.Range { return x.DefRange }))
	if len(r.Fence) > 0 {
		x := r.Fence[0]
		d.Fence, _ = b.action("fence", &rawPromote{Command: x.Command, Env: x.Env, PassEnv: x.PassEnv, Enabled: x.Enabled, Body: x.Body, DefRange: x.DefRange})
	}
	if len(r.Promote) > 0 {
		var pb *blk
		d.Promote, pb = b.action("promote", r.Promote[0])
		if d.Promote.TerraformVar != "" && len(sources) == 1 {
			for _, p := range dataProviders(d, s) {
				if pr := cfg.Provider(p); pr != nil && pr.Terraform == nil {
					pb.errf("terraform_var", "provider %q has no terraform block: the variable is set in a second apply of the target's workspace", p)
				}
			}
		}
	}
	return d
}

// dataProviders are the providers a data block measures: its map's keys,
// sorted, or an exec block's providers (default the candidates).
func dataProviders(d *Data, s *Service) []string {
	var m map[string]string
	switch {
	case d.Postgres != nil:
		m = d.Postgres.DSN
	case d.HTTP != nil:
		m = d.HTTP.URL
	case d.Exec != nil:
		if d.Exec.Providers != nil {
			return d.Exec.Providers
		}
		return s.Candidates
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// candidate checks that p names a provider the service may run on.
func (b *blk) candidate(name, p string, s *Service, cfg *Config) bool {
	switch {
	case cfg.Provider(p) == nil:
		b.errf(name, "provider %q is not declared", p)
	case !slices.Contains(s.Candidates, p):
		b.errf(name, "provider %q is not a candidate of service %q", p, s.Name)
	default:
		return true
	}
	return false
}

// providerMap checks a map from provider names to values (a DSN, a URL):
// required, at least one entry, every key a candidate of s. It returns
// the map (nil when unusable) and which entries are computed by a
// function (secrets); those are scrubbed from every message.
func (b *blk) providerMap(name string, m map[string]string, s *Service, cfg *Config) (map[string]string, map[string]bool) {
	if !b.ok(name) || m == nil {
		if !b.written(name) || b.ok(name) {
			b.errf(name, "is required: a map from provider names to their value, such as { %s = env(\"...\") }", firstOr(s.Candidates, "primary"))
		}
		return nil, nil
	}
	secret := b.secretKeys(name, m)
	if len(m) == 0 {
		b.errf(name, "at least one provider is required")
		return nil, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	good := true
	for _, k := range keys {
		good = b.candidate(name, k, s, cfg) && good
	}
	if !good {
		return nil, secret
	}
	return m, secret
}

func firstOr(vs []string, def string) string {
	if len(vs) > 0 {
		return vs[0]
	}
	return def
}

// passwordKey finds a password in a key/value connection string
// ("host=db password=x") or a URL's query ("?password=x").
var passwordKey = regexp.MustCompile(`(?i)(^|[\s?&;])password\s*=`)

// holdsPassword reports whether a connection string or URL carries a
// password: a password= key, or a URL's user:password@.
func holdsPassword(v string) bool {
	if passwordKey.MatchString(v) {
		return true
	}
	if u, err := url.Parse(v); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return true
		}
	}
	return false
}

// literalPasswords refuses the entries of map attribute name written
// literally (not from env() or file()) that hold a password: a password
// in the configuration file ends up in version control and backups of it.
func (b *blk) literalPasswords(name, what string, m map[string]string, secret map[string]bool) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	good := true
	for _, k := range keys {
		if !secret[k] && holdsPassword(m[k]) {
			b.errf(name, "provider %q: put the %s in env() or file(): it holds a password", k, what)
			good = false
		}
	}
	return good
}

func (b *blk) postgresData(r *rawPostgresData, s *Service, cfg *Config) *PostgresData {
	pb := b.child(r.Body, r.DefRange, "postgres", "", false)
	p := &PostgresData{Range: r.DefRange}
	m, secret := pb.providerMap("dsn", r.DSN, s, cfg)
	if m != nil && pb.literalPasswords("dsn", "DSN", m, secret) {
		p.DSN = m
	}
	return p
}

func (b *blk) httpData(r *rawHTTPData, s *Service, cfg *Config) *HTTPData {
	hb := b.child(r.Body, r.DefRange, "http", "", false)
	h := &HTTPData{Range: r.DefRange}
	m, secret := hb.providerMap("url", r.URL, s, cfg)
	if m != nil {
		good := hb.literalPasswords("url", "URL", m, secret)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if why := urlProblem(m[k]); why != "" {
				hb.errf("url", "provider %q: %s", k, why)
				good = false
			}
		}
		if good {
			h.URL = m
		}
	}
	h.JSONField = hb.nonEmpty("json_field", r.JSONField, false)
	h.Header = hb.nonEmpty("header", r.Header, false)
	switch {
	case hb.written("json_field") && hb.written("header"):
		hb.errf("header", "json_field and header are mutually exclusive: the time of the last write is read from the JSON body or from a header")
	case !hb.written("json_field") && !hb.written("header"):
		hb.blockErrf("one of json_field or header is required: where the answer carries the time of the last write")
	}
	if h.JSONField != "" && slices.Contains(strings.Split(h.JSONField, "."), "") {
		hb.errf("json_field", "must be a dotted path of field names, such as \"replication.last_write\", got%s", hb.q("json_field", h.JSONField))
	}
	if hb.ok("headers") {
		h.Headers = r.Headers
	}
	for _, v := range h.Headers {
		b.c.addSecret(v) // Authorization and friends
	}
	return h
}

// urlProblem says what is wrong with an http or https URL, without
// quoting it, or "".
func urlProblem(v string) string {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return "invalid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "URL scheme must be http or https"
	case u.Host == "":
		return "URL has no host"
	}
	return ""
}

func (b *blk) execData(r *rawExecData, s *Service, cfg *Config) *ExecData {
	eb := b.child(r.Body, r.DefRange, "exec", "", false)
	e := &ExecData{Range: r.DefRange}
	e.Command = eb.command("command", r.Command, true)
	if eb.ok("env") {
		e.Env = r.Env
	}
	for _, v := range e.Env {
		b.c.addSecret(v)
	}
	e.PassEnv = eb.passEnv(r.PassEnv, nil)
	for _, p := range eb.list("providers", r.Providers, false, "provider") {
		if eb.candidate("providers", p, s, cfg) {
			e.Providers = append(e.Providers, p)
		}
	}
	return e
}

// command checks a command attribute: a program and its arguments.
func (b *blk) command(name string, v []string, required bool) []string {
	if b.ok(name) && v != nil {
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			b.errf(name, "must name a program: [\"program\", \"arg\", ...]")
			return nil
		}
		return v
	}
	if required && (!b.written(name) || b.ok(name)) {
		b.errf(name, "is required")
	}
	return nil
}

// terraformVarName is a Terraform variable name.
var terraformVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// action converts a fence or promote block (a fence is read as a promote
// block without terraform_var). Exactly one way is chosen: a command, a
// Terraform variable (promote only), or enabled = false.
func (b *blk) action(kind string, r *rawPromote) (*DataAction, *blk) {
	ab := b.child(r.Body, r.DefRange, kind, "", false)
	a := &DataAction{Range: r.DefRange}
	ways := "command or enabled = false"
	if kind == "promote" {
		ways = "command, terraform_var or enabled = false"
	}
	type way struct {
		attr, say string
	}
	var set []way
	if ab.written("command") {
		a.Command = ab.command("command", r.Command, false)
		set = append(set, way{"command", "command"})
	}
	if ab.written("terraform_var") {
		if v := ab.nonEmpty("terraform_var", r.TerraformVar, false); v != "" {
			if terraformVarName.MatchString(v) {
				a.TerraformVar = v
			} else {
				ab.errf("terraform_var", "must be a Terraform variable name (letters, digits, _ and -, not starting with a digit), got%s", ab.q("terraform_var", v))
			}
		}
		set = append(set, way{"terraform_var", "terraform_var"})
	}
	if ab.ok("enabled") && r.Enabled != nil && !*r.Enabled {
		a.Disabled = true
		set = append(set, way{"enabled", "enabled = false"})
	}
	sort.Slice(set, func(i, j int) bool { return ab.at(set[i].attr).Start.Byte < ab.at(set[j].attr).Start.Byte })
	switch {
	case len(set) == 0 && ab.written("enabled"):
		ab.blockErrf("needs %s (enabled = true is the default: leave the block out for it)", ways)
	case len(set) == 0:
		ab.blockErrf("needs %s", ways)
	case len(set) > 1:
		ab.errf(set[1].attr, "%s and %s are mutually exclusive: write one of %s", set[0].say, set[1].say, ways)
	}
	if !ab.written("command") {
		for _, n := range []string{"env", "pass_env"} {
			if ab.written(n) {
				ab.errf(n, "only applies with command")
			}
		}
	} else {
		if ab.ok("env") {
			a.Env = r.Env
		}
		for _, v := range a.Env {
			b.c.addSecret(v)
		}
		a.PassEnv = ab.passEnv(r.PassEnv, nil)
	}
	return a, ab
}

func (c *checker) backup(parent *blk, r *rawBackup) *Backup {
	b := parent.child(r.Body, r.DefRange, "backup", r.Name, true)
	k := &Backup{Name: r.Name, Range: r.DefRange}
	k.Vendor = b.nonEmpty("vendor", r.Vendor, true)
	k.Jurisdiction = b.nonEmpty("jurisdiction", r.Jurisdiction, false)
	k.Prefix = b.nonEmpty("prefix", r.Prefix, false)
	k.Directory = b.nonEmpty("directory", r.Directory, false)
	c.once(b, "s3", ranges(r.S3, func(x *rawS3) hcl.Range { return x.DefRange }))
	switch {
	case b.written("directory") && len(r.S3) > 0:
		c.add(r.S3[0].DefRange, b.where("s3")+": directory and s3 are mutually exclusive: a backup block names one place (write two backup blocks for two)")
	case !b.written("directory") && len(r.S3) == 0:
		b.blockErrf("needs a directory or an s3 block: where the backups are")
	}
	if len(r.S3) > 0 {
		k.S3 = b.s3(r.S3[0])
	}
	return k
}

func (b *blk) s3(r *rawS3) *S3Backup {
	sb := b.child(r.Body, r.DefRange, "s3", "", false)
	s := &S3Backup{Range: r.DefRange}
	if ep := sb.nonEmpty("endpoint", r.Endpoint, true); ep != "" && sb.s3Endpoint(ep) {
		s.Endpoint = strings.TrimSuffix(ep, "/")
	}
	if bucket := sb.nonEmpty("bucket", r.Bucket, true); bucket != "" {
		if strings.ContainsAny(bucket, "/ \t\r\n") {
			sb.errf("bucket", "must be a bucket name, without / or spaces (put a path in the backup's prefix), got%s", sb.q("bucket", bucket))
		} else {
			s.Bucket = bucket
		}
	}
	s.Region = sb.nonEmpty("region", r.Region, false)
	s.AccessKey = sb.secretAttr("access_key", r.AccessKey)
	s.SecretKey = sb.secretAttr("secret_key", r.SecretKey)
	return s
}

// secretAttr is a required credential that must come from env() or
// file(): one written in the configuration ends up in version control
// and in every copy of the file.
func (b *blk) secretAttr(name string, p *string) string {
	v := b.nonEmpty(name, p, true)
	if v == "" {
		return ""
	}
	if !b.calls(name) {
		b.errf(name, "put the key in env() or file(): it is a credential")
		return ""
	}
	b.c.addSecret(v)
	return v
}

// s3Endpoint checks an S3 endpoint: an http or https base URL; plain
// http only to this machine, since requests carry signed credentials and
// the backups themselves.
func (b *blk) s3Endpoint(ep string) bool {
	u, err := url.Parse(ep)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		b.errf("endpoint", "must be an http or https URL with a host, such as https://s3.example.net, got%s", b.q("endpoint", ep))
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil:
		b.errf("endpoint", "must be the service's base URL, without a path, query, fragment or credentials (the bucket goes in bucket, the keys in access_key and secret_key)")
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		b.errf("endpoint", "must be https when its host is not a loopback address: the backups and signed requests would cross the network in clear")
	default:
		return true
	}
	return false
}

// restore converts a drill's restore block, and checks what mode
// "restore" needs of the drill's service. d.Mode and d.Service are set.
func (c *checker) restore(b *blk, r *rawDrill, d *Drill, cfg *Config) {
	c.once(b, "restore", ranges(r.Restore, func(x *rawRestoreDrill) hcl.Range { return x.DefRange }))
	if d.Mode != DrillRestore {
		// A mode that failed to convert has its error already.
		if len(r.Restore) > 0 && (d.Mode != "" || !b.written("mode")) {
			c.add(r.Restore[0].DefRange, b.where("restore")+`: only applies with mode = "restore"`)
		}
		return
	}
	rd := &RestoreDrill{Range: d.Range}
	var rb *blk
	if len(r.Restore) > 0 {
		x := r.Restore[0]
		rb = b.child(x.Body, x.DefRange, "restore", "", false)
		rd.Range = x.DefRange
		rd.Backup = rb.nonEmpty("backup", x.Backup, false)
		rd.Data = rb.nonEmpty("data", x.Data, false)
		rd.DSN = rb.nonEmpty("dsn", x.DSN, false)
		if rd.DSN != "" {
			if rb.calls("dsn") {
				c.addSecret(rd.DSN)
			} else if holdsPassword(rd.DSN) {
				rb.errf("dsn", "put the DSN in env() or file(): it holds a password")
				rd.DSN = ""
			}
		}
		rd.Command = rb.command("command", x.Command, false)
		rd.Query = rb.nonEmpty("query", x.Query, false)
		rd.Timeout = rb.duration("timeout", x.Timeout)
	}
	d.Restore = rd
	s := cfg.Service(d.Service)
	if s == nil {
		return
	}
	if len(s.Backups) == 0 {
		b.errf("mode", `mode "restore" needs a backup block in service %q: it restores the newest backup`, s.Name)
	}
	if rb != nil && rd.Backup != "" && !slices.ContainsFunc(s.Backups, func(k *Backup) bool { return k.Name == rd.Backup }) {
		rb.errf("backup", "backup %s is not declared in service %q", rb.qname("backup", rd.Backup), s.Name)
		rd.Backup = ""
	}
	var data *Data
	for _, x := range s.Data {
		if rd.Data == "" && x.Postgres != nil || rd.Data != "" && x.Name == rd.Data {
			data = x
			break
		}
	}
	switch {
	case rd.Data != "" && data == nil:
		rb.errf("data", "data %s is not declared in service %q", rb.qname("data", rd.Data), s.Name)
		rd.Data = ""
	case rd.Data != "" && data.Postgres == nil:
		rb.errf("data", "data %s of service %q is %s, not postgres: a restore drill restores a PostgreSQL database", rb.qname("data", rd.Data), s.Name, data.Kind())
		rd.Data, data = "", nil
	case data == nil && rd.Command == nil && rd.DSN == "":
		b.errf("mode", `mode "restore" needs a postgres data block in service %q, restore.dsn (the server to restore into) or restore.command to restore another way`, s.Name)
	}
	// The scratch database goes to the target's server unless dsn says
	// where: a target without a DSN there has nowhere to restore to.
	if data != nil && data.Postgres != nil && data.Postgres.DSN != nil && rd.DSN == "" && d.Target != "" {
		if _, ok := data.Postgres.DSN[d.Target]; !ok {
			b.errf("target", "provider %q has no dsn in data %q of service %q: set restore.dsn to the server the backup is restored into", d.Target, data.Name, s.Name)
		}
	}
}
