package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"
)

// convert validates the decoded blocks and builds the public Config. It
// reports problems through c and keeps going, so one run finds them all.
func (c *checker) convert(r *rawFile) *Config {
	cfg := &Config{}

	c.once(nil, "state", ranges(r.State, func(x *rawState) hcl.Range { return x.DefRange }))
	c.once(nil, "terraform", ranges(r.Terraform, func(x *rawTerraformCLI) hcl.Range { return x.DefRange }))
	c.once(nil, "policy", ranges(r.Policy, func(x *rawPolicy) hcl.Range { return x.DefRange }))
	if len(r.State) > 0 {
		cfg.State = c.state(r.State[0])
	}
	if len(r.Terraform) > 0 {
		cfg.Terraform = c.terraformCLI(r.Terraform[0])
	}
	if len(r.Policy) > 0 {
		cfg.Policy = c.policy(r.Policy[0])
	}

	names := c.uniqueNames("dns")
	for _, x := range r.DNS {
		if d := c.dns(x); names.add(x.Name, x.NameRange) {
			cfg.DNS = append(cfg.DNS, d)
		}
	}
	names = c.uniqueNames("provider")
	for _, x := range r.Providers {
		if p := c.provider(x); names.add(x.Name, x.NameRange) {
			cfg.Providers = append(cfg.Providers, p)
		}
	}
	names = c.uniqueNames("service")
	for _, x := range r.Services {
		if s := c.service(x, cfg); names.add(x.Name, x.NameRange) {
			cfg.Services = append(cfg.Services, s)
		}
	}
	names = c.uniqueNames("drill")
	for _, x := range r.Drills {
		if d := c.drill(x, cfg); names.add(x.Name, x.NameRange) {
			cfg.Drills = append(cfg.Drills, d)
		}
	}
	c.once(nil, "server", ranges(r.Server, func(x *rawServer) hcl.Range { return x.DefRange }))
	if len(r.Server) > 0 {
		cfg.Server = c.server(r.Server[0])
	}
	c.once(nil, "audit", ranges(r.Audit, func(x *rawAudit) hcl.Range { return x.DefRange }))
	if len(r.Audit) > 0 {
		x := r.Audit[0]
		b := c.block(x.Body, x.DefRange, "audit", "", false)
		cfg.Audit = Audit{DrillMaxAge: b.duration("drill_max_age", x.DrillMaxAge), Range: x.DefRange}
	}
	names = c.uniqueNames("registrar")
	for _, x := range r.Registrar {
		if g := c.registrar(x, cfg); names.add(x.Name, x.NameRange) {
			cfg.Registrars = append(cfg.Registrars, g)
		}
	}
	seen := map[string]hcl.Range{}
	for _, x := range r.Zones {
		if z := c.zone(x, cfg, seen); z != nil {
			cfg.Zones = append(cfg.Zones, z)
		}
	}
	names = c.uniqueNames("notify")
	for _, x := range r.Notify {
		if n := c.notify(x); names.add(x.Name, x.NameRange) {
			cfg.Notify = append(cfg.Notify, n)
		}
	}
	return cfg
}

func ranges[T any](xs []T, def func(T) hcl.Range) []hcl.Range {
	out := make([]hcl.Range, len(xs))
	for i, x := range xs {
		out[i] = def(x)
	}
	return out
}

// once reports every block of a kind after the first, in parent (nil at
// the top level).
func (c *checker) once(parent *blk, kind string, defs []hcl.Range) {
	where := kind
	if parent != nil {
		where = parent.where(kind)
	}
	for _, d := range defs[min(1, len(defs)):] {
		c.add(d, fmt.Sprintf("%s: only one %s block is allowed, the first is at line %d", where, kind, defs[0].Start.Line))
	}
}

// nameSet finds empty and repeated block labels of one kind.
type nameSet struct {
	c      *checker
	prefix string // `dns` or `service "www": check`
	seen   map[string]hcl.Range
}

func (c *checker) uniqueNames(prefix string) *nameSet {
	return &nameSet{c: c, prefix: prefix, seen: map[string]hcl.Range{}}
}

// add reports whether name is new (the block should be kept).
func (n *nameSet) add(name string, at hcl.Range) bool {
	switch {
	case strings.TrimSpace(name) == "":
		n.c.add(at, n.prefix+": the name must not be empty")
	case !validLabel(name):
		n.c.add(at, fmt.Sprintf("%s %s: %s", n.prefix, quoteLabel(name), labelRule))
	}
	if first, dup := n.seen[name]; dup {
		n.c.add(at, fmt.Sprintf("%s %q: duplicate name, the first is at line %d", n.prefix, name, first.Start.Line))
		return false
	}
	n.seen[name] = at
	return true
}

func (c *checker) state(r *rawState) State {
	b := c.block(r.Body, r.DefRange, "state", "", false)
	s := State{Range: r.DefRange}
	s.Path = b.nonEmpty("path", r.Path, false)
	// The control socket is the journal's path with the extension .sock:
	// a journal named *.sock would be the socket's path, and replaced by it.
	if filepath.Ext(s.Path) == ".sock" {
		b.errf("path", "must not end in .sock: the daemon's control socket is state.path with its extension replaced by .sock, so it would be the journal itself (use, say, %q)", strings.TrimSuffix(s.Path, filepath.Ext(s.Path))+".db")
	}
	s.Vendor = b.nonEmpty("vendor", r.Vendor, false)
	s.Jurisdiction = b.nonEmpty("jurisdiction", r.Jurisdiction, false)
	c.once(b, "etcd", ranges(r.Etcd, func(x *rawEtcd) hcl.Range { return x.DefRange }))
	if len(r.Etcd) > 0 {
		x := r.Etcd[0]
		eb := b.child(x.Body, x.DefRange, "etcd", "", false)
		e := &Etcd{Range: x.DefRange}
		e.Endpoints = eb.list("endpoints", x.Endpoints, true, "endpoint")
		e.Prefix = eb.nonEmpty("prefix", x.Prefix, false)
		e.Username = eb.str("username", x.Username, false)
		e.Password = eb.str("password", x.Password, false)
		c.addSecret(e.Password)
		e.CAFile = eb.nonEmpty("ca_file", x.CAFile, false)
		e.CertFile = eb.nonEmpty("cert_file", x.CertFile, false)
		e.KeyFile = eb.nonEmpty("key_file", x.KeyFile, false)
		if (e.CertFile == "") != (e.KeyFile == "") {
			eb.blockErrf("cert_file and key_file go together: set both or neither")
		}
		if ep, byFirst := cleartextEndpoint(e); e.Password != "" && ep != "" {
			if byFirst {
				eb.errf("password", "would cross the network in clear: endpoint %q is reached without TLS, because etcd's client dials every endpoint as it dials the first (%q); list an https:// endpoint first, or set ca_file", ep, e.Endpoints[0])
			} else {
				eb.errf("password", "would cross the network in clear: endpoint %q is not https (use https:// endpoints, or ca_file for endpoints written without a scheme)", ep)
			}
		}
		e.Node = eb.nonEmpty("node", x.Node, false)
		if e.Node != "" && !nodeName.MatchString(e.Node) {
			eb.errf("node", "must be 1 to 63 lowercase letters, digits, '.', '-' or '_', starting with a letter or digit, got%s", eb.q("node", e.Node))
		}
		e.Lease = eb.duration("lease", x.Lease)
		if e.Lease != 0 && (e.Lease < 2*time.Second || e.Lease > time.Minute) {
			eb.errf("lease", "must be between 2s (etcd's shortest lease) and 1m, got %s", e.Lease)
		}
		e.MaxRecords = eb.intIn("max_records", x.MaxRecords, minEtcdMaxRecords, maxInt)
		s.Etcd = e
	}
	return s
}

func (c *checker) terraformCLI(r *rawTerraformCLI) TerraformCLI {
	b := c.block(r.Body, r.DefRange, "terraform", "", false)
	return TerraformCLI{
		Binary:         b.nonEmpty("binary", r.Binary, false),
		CLIConfigFile:  b.nonEmpty("cli_config_file", r.CLIConfigFile, false),
		PluginCacheDir: b.nonEmpty("plugin_cache_dir", r.PluginCacheDir, false),
		Timeout:        b.duration("timeout", r.Timeout),
		LockTimeout:    b.duration("lock_timeout", r.LockTimeout),
		Range:          r.DefRange,
	}
}

func (c *checker) policy(r *rawPolicy) Policy {
	b := c.block(r.Body, r.DefRange, "policy", "", false)
	p := Policy{
		Interval:       b.duration("interval", r.Interval),
		Timeout:        b.duration("timeout", r.Timeout),
		FailAfter:      b.intIn("fail_after", r.FailAfter, 1, maxInt),
		RecoverAfter:   b.intIn("recover_after", r.RecoverAfter, 1, maxInt),
		Cooldown:       b.duration("cooldown", r.Cooldown),
		MaxAuto:        b.intIn("max_auto_failovers", r.MaxAuto, 1, maxInt),
		AutoWindow:     b.duration("auto_failover_window", r.AutoWindow),
		Concurrency:    b.intIn("concurrency", r.Concurrency, 1, maxInt),
		WaitHealthy:    b.duration("wait_healthy", r.WaitHealthy),
		VerifyDNS:      b.duration("verify_dns", r.VerifyDNS),
		NodeQuorum:     b.intIn("node_quorum", r.NodeQuorum, 0, maxInt),
		SyncInterval:   b.duration("sync_interval", r.SyncInterval),
		EmergencyTTL:   b.duration("emergency_ttl", r.EmergencyTTL),
		RecoveryWindow: b.duration("recovery_window", r.RecoveryWin),
		DataInterval:   b.duration("data_interval", r.DataInterval),
		Range:          r.DefRange,
	}
	if p.EmergencyTTL != 0 && p.EmergencyTTL%time.Second != 0 {
		b.errf("emergency_ttl", "must be whole seconds (DNS TTLs are), got %s", p.EmergencyTTL)
	}
	if b.ok("auto_redelegate") && r.AutoRedeleg != nil {
		p.AutoRedelegate = *r.AutoRedeleg
	}
	if b.ok("quorum") && r.Quorum != nil {
		if q := *r.Quorum; q > 0 && q <= 1 {
			p.Quorum = q
		} else {
			b.errf("quorum", "must be greater than 0 and at most 1, got %s", strconv.FormatFloat(q, 'g', -1, 64))
		}
	}
	if b.ok("auto_failover") && r.AutoFailover != nil {
		p.AutoFailover = *r.AutoFailover
	}
	p.Reference = c.references(b, r.Reference)
	return p
}

func (c *checker) dns(r *rawDNS) *DNSProvider {
	b := c.block(r.Body, r.DefRange, "dns", r.Name, true)
	d := &DNSProvider{Name: r.Name, Range: r.DefRange}
	d.Type = b.nonEmpty("type", r.Type, true)
	// The zone is stored fully qualified; the trailing dot may be left out.
	if zone := b.nonEmpty("zone", r.Zone, true); strings.TrimSpace(zone) != "" {
		d.Zone, _ = b.domain("zone", zone)
	}
	d.Vendor = b.nonEmpty("vendor", r.Vendor, false)
	d.Jurisdiction = b.str("jurisdiction", r.Jurisdiction, false)
	if b.ok("settings") {
		d.Settings = r.Settings
	}
	for _, v := range d.Settings {
		c.addSecret(v)
	}
	if b.ok("nameservers") {
		for _, ns := range r.Nameservers {
			if b.hostPort("nameservers", ns) {
				d.Nameservers = append(d.Nameservers, ns)
			}
		}
	}
	if b.ok("ns_names") && b.names("ns_names", r.NSNames) {
		for _, n := range r.NSNames {
			if fq, ok := b.domain("ns_names", n); ok {
				d.NSNames = append(d.NSNames, strings.ToLower(fq))
			}
		}
	}
	d.Proxied = b.recordNames("proxied", r.Proxied)
	d.NotProxied = b.recordNames("not_proxied", r.NotProxied)
	if len(d.Proxied)+len(d.NotProxied) > 0 && d.Type != "" && d.Type != ProxyType {
		attr := "proxied"
		if len(d.Proxied) == 0 {
			attr = "not_proxied"
		}
		b.errf(attr, "only a dns block of type %q has proxied records, not %s", ProxyType, b.qname("type", d.Type))
	}
	for _, n := range d.Proxied {
		if slices.ContainsFunc(d.NotProxied, func(m string) bool { return strings.EqualFold(m, n) }) {
			b.errf("not_proxied", "%s is also in proxied", b.qname("not_proxied", n))
		}
	}
	settingsOK := !b.written("settings") || b.ok("settings")
	if check := c.opts.DNSSettings; check != nil && d.Type != "" && settingsOK {
		settings := d.Settings
		if settings == nil {
			settings = map[string]string{}
		}
		if err := check(d.Type, settings); err != nil {
			msg := err.Error()
			if errors.Is(err, ErrUnknownDNSType) {
				if q := b.qname("type", d.Type); !strings.Contains(msg, q) {
					msg += ": " + q
				}
				b.errf("type", "%s", msg)
			} else {
				b.errf("settings", "%s", msg)
			}
		}
	}
	return d
}

// backendKey is a backend argument name, as -backend-config key=value takes it.
var backendKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var standbys = []string{string(StandbyActive), string(StandbyWarm), string(StandbyCold)}

func (c *checker) provider(r *rawProvider) *Provider {
	b := c.block(r.Body, r.DefRange, "provider", r.Name, true)
	p := &Provider{Name: r.Name, Range: r.DefRange}
	p.Vendor = b.nonEmpty("vendor", r.Vendor, false)
	p.Jurisdiction = b.str("jurisdiction", r.Jurisdiction, false)
	p.Standby = Standby(b.oneOf("standby", r.Standby, standbys...))
	p.Addresses = b.list("addresses", r.Addresses, false, "address")
	c.once(b, "terraform", ranges(r.Terraform, func(x *rawWorkspace) hcl.Range { return x.DefRange }))
	if len(r.Terraform) > 0 {
		x := r.Terraform[0]
		wb := b.child(x.Body, x.DefRange, "terraform", "", false)
		w := &Workspace{Range: x.DefRange}
		w.Dir = wb.nonEmpty("dir", x.Dir, true)
		w.Workspace = wb.nonEmpty("workspace", x.Workspace, false)
		w.StateVendor = wb.nonEmpty("state_vendor", x.StateVendor, false)
		w.PassEnv = wb.passEnv(x.PassEnv, terraformManagedEnv)
		if wb.ok("vars") {
			w.Vars = x.Vars
			w.SecretVars = wb.secretKeys("vars", x.Vars)
		}
		if wb.ok("backend_config") {
			for k := range x.BackendConfig {
				if !backendKey.MatchString(k) {
					wb.errf("backend_config", "%q is not a backend argument name (letters, digits and _)", k)
				}
			}
			w.BackendConfig = x.BackendConfig
			w.SecretBackendConfig = wb.secretKeys("backend_config", x.BackendConfig)
		}
		p.Terraform = w
	}
	p.Checks = c.checks(b, r.Checks)
	return p
}

func (c *checker) service(r *rawService, cfg *Config) *Service {
	b := c.block(r.Body, r.DefRange, "service", r.Name, true)
	s := &Service{Name: r.Name, Range: r.DefRange}
	if r.Name == "sync" {
		// A service's records are marked owner=lifeboat/NAME, and
		// lifeboat/sync is the zone sync's: the two would share a claim.
		b.blockErrf(`the name "sync" is reserved: the zone sync marks what it writes as owner lifeboat/sync`)
	}
	s.Records = b.list("records", r.Records, true, "record")
	for _, rec := range s.Records {
		if strings.HasSuffix(rec, ".") || strings.ContainsAny(rec, " \t\r\n") {
			b.errf("records", "%s must be a name relative to the zone (\"@\" for the apex, no trailing dot)", b.qname("records", rec))
		}
	}
	s.TTL = b.intIn("ttl", r.TTL, 1, 86400)
	s.RTO = b.duration("rto", r.RTO)
	for _, name := range b.list("candidates", r.Candidates, true, "candidate") {
		if cfg.Provider(name) == nil {
			b.errf("candidates", "provider %s is not declared", b.qname("candidates", name))
			continue
		}
		s.Candidates = append(s.Candidates, name)
	}
	s.AddressOutput = b.nonEmpty("address_output", r.AddressOutput, false)
	// Leaving dns out means every dns block (see applyDefaults); an
	// explicit empty list would silently update nothing, so it is refused.
	if dns := b.list("dns", r.DNS, false, "dns block name"); b.ok("dns") && r.DNS != nil {
		s.DNS = []string{}
		for _, name := range dns {
			if cfg.DNSProvider(name) == nil {
				b.errf("dns", "dns %s is not declared", b.qname("dns", name))
				continue
			}
			s.DNS = append(s.DNS, name)
		}
	}
	if b.ok("vars") {
		s.Vars = r.Vars
		s.SecretVars = b.secretKeys("vars", r.Vars)
	}
	if b.ok("adopt") && r.Adopt != nil {
		s.Adopt = *r.Adopt
	}
	s.Checks = c.checks(b, r.Checks)
	if len(r.Checks) == 0 {
		// Without a check lifeboat can never confirm a target before DNS
		// moves to it: the failover would stop at wait-healthy, in an
		// emergency. Refused here rather than found then.
		b.blockErrf("has no check block: add at least one (http, tcp, dns or exec) so lifeboat can confirm a target is serving before DNS moves to it")
	}
	c.serviceData(b, r, s, cfg)
	return s
}

// list checks a list attribute: no empty or repeated elements, and at
// least one element when required (or written).
// recordNames checks an optional list of record names relative to the zone.
func (b *blk) recordNames(name string, vs []string) []string {
	if !b.written(name) {
		return nil
	}
	out := b.list(name, vs, false, "record")
	for _, rec := range out {
		if strings.HasSuffix(rec, ".") || strings.ContainsAny(rec, " \t\r\n") {
			b.errf(name, "%s must be a name relative to the zone (\"@\" for the apex, no trailing dot)", b.qname(name, rec))
		}
	}
	return out
}

func (b *blk) list(name string, vs []string, required bool, what string) []string {
	if !b.ok(name) || vs == nil {
		if required && (!b.written(name) || b.ok(name)) {
			b.errf(name, "at least one %s is required", what)
		}
		return nil
	}
	if len(vs) == 0 {
		if required {
			b.errf(name, "at least one %s is required", what)
		} else {
			b.errf(name, "at least one %s is required (leave the attribute out for the default)", what)
		}
		return nil
	}
	if !b.names(name, vs) {
		return nil
	}
	return vs
}

var drillModes = []string{string(DrillReadiness), string(DrillCanary), string(DrillFull), string(DrillRestore)}

func (c *checker) drill(r *rawDrill, cfg *Config) *Drill {
	b := c.block(r.Body, r.DefRange, "drill", r.Name, true)
	d := &Drill{Name: r.Name, Range: r.DefRange}
	if spec := b.nonEmpty("schedule", r.Schedule, false); strings.TrimSpace(spec) != "" {
		if err := checkSchedule(spec); err != nil {
			detail := ""
			if !b.hidden("schedule") {
				detail = ": " + err.Error()
			}
			b.errf("schedule", "invalid cron schedule%s (use 5 fields, such as \"0 4 * * 1\", or a descriptor such as @daily)", detail)
		} else {
			d.Schedule = spec
		}
	}
	if name := b.nonEmpty("service", r.Service, true); name != "" {
		if cfg.Service(name) == nil {
			b.errf("service", "service %s is not declared", b.qname("service", name))
		} else {
			d.Service = name
		}
	}
	d.Mode = DrillMode(b.oneOf("mode", r.Mode, drillModes...))
	d.Record = b.nonEmpty("record", r.Record, false)
	if strings.HasSuffix(d.Record, ".") || strings.ContainsAny(d.Record, " \t\r\n") {
		b.errf("record", "must be a name relative to the zone, without a trailing dot")
	} else {
		b.checkDrillRecord(d, cfg)
	}
	if name := b.nonEmpty("target", r.Target, false); name != "" {
		if cfg.Provider(name) == nil {
			b.errf("target", "provider %s is not declared", b.qname("target", name))
		} else {
			d.Target = name
		}
	}
	c.restore(b, r, d, cfg)
	return d
}

// checkSchedule parses a cron schedule the way the daemon will, and
// refuses one that never fires (such as February 30).
func checkSchedule(spec string) (err error) {
	// cron v3.0.1 panics on a time zone prefix without fields ("TZ=UTC").
	defer func() {
		if recover() != nil {
			err = errors.New("malformed schedule")
		}
	}()
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return err
	}
	if sched.Next(time.Now()).IsZero() {
		return errors.New("the schedule never fires")
	}
	return nil
}

func (c *checker) notify(r *rawNotify) *Notify {
	b := c.block(r.Body, r.DefRange, "notify", r.Name, true)
	n := &Notify{Name: r.Name, Range: r.DefRange}
	n.Events = b.list("events", r.Events, false, "event")
	for _, ev := range n.Events {
		if !slices.Contains(NotifyEvents, ev) {
			b.errf("events", "unknown event %s (known: %s)", b.qname("events", ev), strings.Join(NotifyEvents, ", "))
		}
	}
	n.Timeout = b.duration("timeout", r.Timeout)
	n.Vendor = b.nonEmpty("vendor", r.Vendor, false)
	n.Retries = -1
	if b.ok("retries") && r.Retries != nil {
		n.Retries = b.intIn("retries", r.Retries, 0, 10)
	}
	c.once(b, "webhook", ranges(r.Webhook, func(x *rawWebhook) hcl.Range { return x.DefRange }))
	c.once(b, "slack", ranges(r.Slack, func(x *rawSlack) hcl.Range { return x.DefRange }))
	switch {
	case len(r.Webhook) == 0 && len(r.Slack) == 0:
		b.blockErrf("a webhook or a slack block is required")
		return n
	case len(r.Webhook) > 0 && len(r.Slack) > 0:
		b.blockErrf("one destination per notify block: a webhook or a slack block, not both (write two notify blocks)")
		return n
	case len(r.Slack) > 0:
		x := r.Slack[0]
		sb := b.child(x.Body, x.DefRange, "slack", "", false)
		sl := &Slack{Range: x.DefRange}
		sl.URL = sb.str("url", x.URL, true)
		c.addSecret(sl.URL)
		if sl.URL != "" {
			sb.httpURL("url", sl.URL, false)
		}
		n.Slack = sl
		return n
	}
	x := r.Webhook[0]
	wb := b.child(x.Body, x.DefRange, "webhook", "", false)
	w := &Webhook{Range: x.DefRange}
	w.URL = wb.str("url", x.URL, true)
	c.addSecret(w.URL)
	if w.URL != "" {
		wb.httpURL("url", w.URL, false)
	}
	if wb.ok("headers") {
		w.Headers = x.Headers
	}
	for _, v := range w.Headers {
		c.addSecret(v)
	}
	w.Secret = wb.nonEmpty("secret", x.Secret, false)
	c.addSecret(w.Secret)
	n.Webhook = w
	return n
}

// httpURL checks an absolute http or https URL. Only non-secret URLs have
// the parser's complaint quoted.
func (b *blk) httpURL(name, v string, showDetail bool) bool {
	u, err := url.Parse(v)
	if err != nil {
		detail := ""
		var ue *url.Error
		if showDetail && !b.hidden(name) && errors.As(err, &ue) {
			detail = ": " + ue.Err.Error()
		}
		b.errf(name, "invalid URL%s", detail)
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		b.errf(name, "URL scheme must be http or https")
		return false
	}
	if u.Host == "" {
		b.errf(name, "URL has no host")
		return false
	}
	return true
}

// checks converts the check blocks of a provider or service.
func (c *checker) checks(parent *blk, rs []*rawCheck) []*Check {
	names := c.uniqueNames(parent.where("check"))
	var out []*Check
	for _, r := range rs {
		ch := c.check(parent, r)
		if names.add(r.Name, r.NameRange) {
			out = append(out, ch)
		}
	}
	return out
}

type prober struct {
	kind string
	def  hcl.Range
}

var proberKinds = "http, tcp, dns, exec or provider_api"

func (c *checker) check(parent *blk, r *rawCheck) *Check {
	ch, _ := c.checkBlock(parent, r, "check")
	return ch
}

// checkBlock converts a check-shaped block named kind ("check", "reference").
func (c *checker) checkBlock(parent *blk, r *rawCheck, kind string) (*Check, *blk) {
	b := parent.child(r.Body, r.DefRange, kind, r.Name, true)
	ch := &Check{Name: r.Name, Range: r.DefRange}
	ch.Interval = b.duration("interval", r.Interval)
	ch.Timeout = b.duration("timeout", r.Timeout)

	var probers []prober
	for _, x := range r.HTTP {
		probers = append(probers, prober{"http", x.DefRange})
		ch.HTTP = b.httpCheck(x)
	}
	for _, x := range r.TCP {
		probers = append(probers, prober{"tcp", x.DefRange})
		ch.TCP = b.tcpCheck(x)
	}
	for _, x := range r.DNS {
		probers = append(probers, prober{"dns", x.DefRange})
		ch.DNS = b.dnsCheck(x)
	}
	for _, x := range r.Exec {
		probers = append(probers, prober{"exec", x.DefRange})
		ch.Exec = b.execCheck(x)
	}
	for _, x := range r.ProviderAPI {
		probers = append(probers, prober{"provider_api", x.DefRange})
		ch.ProviderAPI = b.providerAPICheck(x)
	}
	sort.Slice(probers, func(i, j int) bool { return probers[i].def.Start.Byte < probers[j].def.Start.Byte })
	if len(probers) == 0 {
		b.blockErrf("needs one prober block: %s", proberKinds)
	}
	for _, p := range probers[min(1, len(probers)):] {
		c.add(p.def, fmt.Sprintf("%s: only one prober block per check, this one already has %s at line %d",
			b.where(p.kind), probers[0].kind, probers[0].def.Start.Line))
	}
	return ch, b
}

func (b *blk) httpCheck(r *rawHTTPCheck) *HTTPCheck {
	hb := b.child(r.Body, r.DefRange, "http", "", false)
	h := &HTTPCheck{Range: r.DefRange, FollowRedirects: DefaultFollowRedirects, MaxRedirects: DefaultMaxRedirects}
	h.URL = hb.nonEmpty("url", r.URL, false)
	if h.URLSecret = hb.calls("url"); h.URLSecret {
		b.c.addSecret(h.URL)
	}
	h.Path = hb.nonEmpty("path", r.Path, false)
	if h.URL != "" {
		if h.Path != "" {
			hb.errf("path", "url and path are mutually exclusive: url probes one endpoint, path probes every address")
		}
		for _, a := range []string{"scheme", "port"} {
			if hb.written(a) {
				hb.errf(a, "only applies with path, not with url")
			}
		}
		if !hb.httpURL("url", h.URL, true) {
			h.URL = ""
		}
	}
	if h.Path != "" && !strings.HasPrefix(h.Path, "/") {
		hb.errf("path", "must start with /, got%s", hb.q("path", h.Path))
	}
	h.Scheme = hb.oneOf("scheme", r.Scheme, "http", "https")
	h.Port = hb.intIn("port", r.Port, 1, 65535)
	h.Method = hb.method("method", r.Method)
	h.Host = hb.str("host", r.Host, false)
	if hb.ok("headers") {
		h.Headers = r.Headers
	}
	for _, v := range h.Headers {
		b.c.addSecret(v) // Authorization and friends
	}
	if hb.ok("expect_status") {
		for _, st := range r.ExpectStatus {
			if st < 100 || st > 599 {
				hb.errf("expect_status", "%d is not an HTTP status (100 to 599)", st)
			}
		}
		h.ExpectStatus = r.ExpectStatus
	}
	h.BodyRegex = hb.regex("body_regex", r.BodyRegex)
	if hb.ok("expect_headers") {
		keys := make([]string, 0, len(r.ExpectHeaders))
		for k := range r.ExpectHeaders {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			hb.checkRegex("expect_headers", r.ExpectHeaders[k], fmt.Sprintf(" for header %q", k))
		}
		h.ExpectHeaders = r.ExpectHeaders
	}
	h.MaxLatency = hb.duration("max_latency", r.MaxLatency)
	if hb.ok("insecure_skip_verify") && r.InsecureSkipVerify != nil {
		h.InsecureSkipVerify = *r.InsecureSkipVerify
	}
	h.CertExpiryWarning = hb.duration("cert_expiry_warning", r.CertExpiryWarning)
	if hb.ok("follow_redirects") && r.FollowRedirects != nil {
		h.FollowRedirects = *r.FollowRedirects
	}
	if hb.ok("max_redirects") && r.MaxRedirects != nil {
		h.MaxRedirects = hb.intIn("max_redirects", r.MaxRedirects, 0, 100)
	}
	return h
}

// method checks an HTTP method token.
func (b *blk) method(name string, p *string) string {
	m := b.nonEmpty(name, p, false)
	for _, r := range m {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			b.errf(name, "must be an HTTP method such as GET or HEAD, got%s", b.q(name, m))
			return ""
		}
	}
	return m
}

func (b *blk) tcpCheck(r *rawTCPCheck) *TCPCheck {
	tb := b.child(r.Body, r.DefRange, "tcp", "", false)
	t := &TCPCheck{Range: r.DefRange}
	addr := tb.nonEmpty("address", r.Address, false)
	t.Port = tb.intIn("port", r.Port, 1, 65535)
	switch {
	case tb.written("address") && tb.written("port"):
		tb.errf("port", "address and port are mutually exclusive: address dials one endpoint, port dials every address")
	case !tb.written("address") && !tb.written("port"):
		tb.blockErrf("one of address or port is required")
	}
	if addr != "" && tb.hostPort("address", addr) {
		t.Address = addr
	}
	t.Send = tb.str("send", r.Send, false)
	t.Expect = tb.regex("expect", r.Expect)
	return t
}

// dnsTypes are the record types a dns check may ask for.
var dnsTypes = []string{"A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT"}

func (b *blk) dnsCheck(r *rawDNSCheck) *DNSCheck {
	db := b.child(r.Body, r.DefRange, "dns", "", false)
	d := &DNSCheck{Range: r.DefRange}
	if s := db.nonEmpty("server", r.Server, true); s != "" && db.hostPort("server", s) {
		d.Server = s
	}
	d.Name = db.nonEmpty("name", r.Name, true)
	if db.ok("type") && r.Type != nil {
		// Record types are case-insensitive; stored in upper case.
		up := strings.ToUpper(*r.Type)
		d.Type = db.oneOf("type", &up, dnsTypes...)
	}
	d.Expect = db.regex("expect", r.Expect)
	return d
}

func (b *blk) execCheck(r *rawExecCheck) *ExecCheck {
	eb := b.child(r.Body, r.DefRange, "exec", "", false)
	e := &ExecCheck{Range: r.DefRange}
	if eb.ok("command") && r.Command != nil {
		if len(r.Command) == 0 || strings.TrimSpace(r.Command[0]) == "" {
			eb.errf("command", "must name a program: [\"program\", \"arg\", ...]")
		} else {
			e.Command = r.Command
		}
	} else if !eb.written("command") || eb.ok("command") {
		eb.errf("command", "is required")
	}
	if eb.ok("env") {
		e.Env = r.Env
	}
	e.PassEnv = eb.passEnv(r.PassEnv, nil)
	for _, v := range e.Env {
		b.c.addSecret(v)
	}
	return e
}

func (b *blk) providerAPICheck(r *rawProviderAPICheck) *ProviderAPICheck {
	ab := b.child(r.Body, r.DefRange, "provider_api", "", false)
	a := &ProviderAPICheck{Range: r.DefRange}
	if u := ab.nonEmpty("url", r.URL, true); u != "" && ab.httpURL("url", u, true) {
		a.URL = u
	}
	a.Method = ab.method("method", r.Method)
	a.Token = ab.str("token", r.Token, false)
	b.c.addSecret(a.Token)
	a.Header = ab.nonEmpty("header", r.Header, false)
	// An empty pattern would match every body: every answer would say
	// the account is lost.
	if ab.nonEmpty("lost_pattern", r.LostPattern, false) != "" {
		a.LostPattern = ab.regex("lost_pattern", r.LostPattern)
	}
	if ab.nonEmpty("warn_pattern", r.WarnPattern, false) != "" {
		a.WarnPattern = ab.regex("warn_pattern", r.WarnPattern)
	}
	return a
}

// domain checks a domain name and returns it fully qualified (the
// trailing dot may be left out). Zones are kept as written otherwise.
func (b *blk) domain(name, v string) (string, bool) {
	switch {
	case strings.ContainsAny(v, " \t\r\n"):
		b.errf(name, "must be a domain name, got%s", b.q(name, v))
		return "", false
	case v == "." || strings.HasPrefix(v, ".") || strings.Contains(v, ".."):
		b.errf(name, "must be a domain name such as example.com., got%s", b.q(name, v))
		return "", false
	}
	if !strings.HasSuffix(v, ".") {
		v += "."
	}
	return v, true
}

// registrar converts a registrar block. Its zone must be served by a dns
// block (the redelegation delegates to them), and has one registrar.
func (c *checker) registrar(r *rawRegistrar, cfg *Config) *Registrar {
	b := c.block(r.Body, r.DefRange, "registrar", r.Name, true)
	g := &Registrar{Name: r.Name, Range: r.DefRange}
	g.Type = b.nonEmpty("type", r.Type, true)
	g.Vendor = b.nonEmpty("vendor", r.Vendor, false)
	if zone := b.nonEmpty("zone", r.Zone, true); strings.TrimSpace(zone) != "" {
		if z, ok := b.domain("zone", zone); ok {
			served := false
			for _, d := range cfg.DNS {
				served = served || strings.EqualFold(d.Zone, z)
				if strings.EqualFold(d.Zone, z) {
					z = d.Zone // one spelling of a zone throughout
				}
			}
			if !served {
				b.errf("zone", "no dns block serves zone%s: a registrar delegates a zone to its dns blocks", b.q("zone", zone))
			}
			if prev := cfg.Registrar(z); prev != nil {
				b.errf("zone", "zone %s already has registrar %q (line %d): one registrar per zone", z, prev.Name, prev.Range.Start.Line)
			}
			g.Zone = z
		}
	}
	if b.ok("settings") {
		g.Settings = r.Settings
	}
	for _, v := range g.Settings {
		c.addSecret(v)
	}
	if check := c.opts.RegistrarSettings; check != nil && g.Type != "" && (!b.written("settings") || b.ok("settings")) {
		settings := g.Settings
		if settings == nil {
			settings = map[string]string{}
		}
		if err := check(g.Type, settings); err != nil {
			if errors.Is(err, ErrUnknownRegistrarType) {
				b.errf("type", "%s", err.Error())
			} else {
				b.errf("settings", "%s", err.Error())
			}
		}
	}
	return g
}

// zone converts a zone block: its label is a zone some dns block serves,
// once; its file is required.
func (c *checker) zone(r *rawZone, cfg *Config, seen map[string]hcl.Range) *Zone {
	b := c.block(r.Body, r.DefRange, "zone", r.Name, true)
	z := &Zone{Range: r.DefRange}
	name, ok := "", false
	if strings.TrimSpace(r.Name) == "" {
		c.add(r.NameRange, "zone: the name must not be empty")
	} else if name, ok = b.domain("zone", r.Name); ok {
		served := false
		for _, d := range cfg.DNS {
			if strings.EqualFold(d.Zone, name) {
				served, name = true, d.Zone
			}
		}
		switch first, dup := seen[strings.ToLower(name)]; {
		case dup:
			c.add(r.NameRange, fmt.Sprintf("zone %q: duplicate zone, the first is at line %d", r.Name, first.Start.Line))
			ok = false
		case !served:
			c.add(r.NameRange, fmt.Sprintf("zone %q: no dns block serves it: a zone file is the source of truth of a zone the dns blocks serve", r.Name))
			ok = false
		default:
			seen[strings.ToLower(name)] = r.NameRange
		}
	}
	z.Name = name
	z.File = b.nonEmpty("file", r.File, true)
	if !ok || z.File == "" {
		return nil
	}
	return z
}
