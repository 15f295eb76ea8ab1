// Package config parses and validates lifeboat's HCL configuration.
//
// The types in this file are the configuration language: what a user may
// write. They carry no behaviour; the engines (health, planner, terraform,
// dns) take these values and do the work. Defaults live in defaults.go.
package config

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Config is one parsed and validated configuration file.
type Config struct {
	// Filename is the path the configuration was read from; relative paths
	// inside it (terraform dirs, file() arguments) resolve against its
	// directory, Dir.
	Filename string
	Dir      string

	State     State
	Terraform TerraformCLI
	DNS       []*DNSProvider
	Providers []*Provider
	Services  []*Service
	Policy    Policy
	Drills    []*Drill
	Notify    []*Notify
	// Server is the daemon's HTTP API; nil when not configured.
	Server *Server
	// Audit tunes `lifeboat audit`.
	Audit Audit
	// Registrars change zones' delegations, at most one per zone.
	Registrars []*Registrar
	// Zones are the zones whose source of truth is a zone file.
	Zones []*Zone

	// UnsetEnv are the variables env() read that were not set, each given
	// a placeholder (Options.EnvPlaceholders); nil otherwise.
	UnsetEnv []string

	// attrRanges maps a block's Range to its attributes' ranges, for
	// AttrRange. Added by the loader; nil in hand-built values.
	attrRanges map[hcl.Range]map[string]hcl.Range
	secrets    map[string]bool // values produced by env() and file()
	// redactor replaces secrets and their forms, built once for Redact.
	redactor   *redact.Redactor
	redactOnce sync.Once
}

// State says where the journal lives.
type State struct {
	// Path of the bbolt journal file, relative to Config.Dir. Default "lifeboat.db".
	Path string
	// Etcd, when set, replaces the local file (several orchestrators, HA).
	Etcd *Etcd
	// Vendor and Jurisdiction say where the journal lives (the machine
	// running lifeboat, or the etcd members), for the audit; empty when
	// not said.
	Vendor, Jurisdiction string
	Range                hcl.Range
}

// Etcd is the HA journal backend.
type Etcd struct {
	Endpoints []string
	Prefix    string // default "/lifeboat/"
	Username  string
	Password  string // secret
	// CAFile, CertFile and KeyFile are PEM files for TLS to etcd, resolved
	// against Dir; CertFile and KeyFile go together.
	CAFile, CertFile, KeyFile string
	// Node is this node's name among the lifeboat nodes; default the host name.
	Node string
	// Lease is how long a node that stops answering keeps its leadership
	// and its published view; default 3s, between 2s and 1m, rounded up to
	// whole seconds (etcd grants leases in seconds: 2500ms becomes 3s).
	Lease time.Duration
	// MaxRecords is how many records of each kind the event log keeps;
	// default DefaultEtcdMaxRecords, at least 100.
	MaxRecords int
	Range      hcl.Range
}

// TerraformCLI is the top-level `terraform { ... }` block: which binary runs
// every workspace and how it finds providers offline.
type TerraformCLI struct {
	// Binary is a path or a name looked up in PATH. Default: "tofu", then
	// "terraform" if tofu is not in PATH.
	Binary string
	// CLIConfigFile is passed as TF_CLI_CONFIG_FILE (provider mirror, plugin cache).
	CLIConfigFile string
	// PluginCacheDir is passed as TF_PLUGIN_CACHE_DIR when set.
	PluginCacheDir string
	// Timeout bounds one terraform command (init, plan, apply). Default 10m.
	Timeout time.Duration
	// LockTimeout is how long an apply waits for a state lock another
	// command holds (-lock-timeout). Default 30s.
	LockTimeout time.Duration
	Range       hcl.Range
}

// DNSProvider is a `dns "NAME" { ... }` block: one DNS vendor holding the zone.
type DNSProvider struct {
	Name string
	// Type names a registered libdns provider ("rfc2136", "cloudflare", ...).
	Type string
	// Zone is the fully qualified zone with a trailing dot, e.g. "example.com.".
	Zone string
	// Vendor is the company running this DNS service; it is compared with
	// hosting providers' vendors to find shared blast radius. Default: Type.
	Vendor       string
	Jurisdiction string
	// Settings are decoded into the libdns provider's own struct. Values
	// may be secrets: never log or print them.
	Settings map[string]string
	// Nameservers are the authoritative servers ("host:port") asked directly
	// to verify a cutover. Default for rfc2136: settings.server; else
	// NSNames at port 53.
	Nameservers []string
	// NSNames are the host names the parent zone delegates to for this
	// provider ("ns1.vendor.net."), fully qualified and lowercase: what a
	// re-delegation writes at the registrar. Empty: this provider cannot
	// be delegated to.
	NSNames []string
	// Proxied and NotProxied (type cloudflare only) are record names
	// (relative, as in a service's records) whose proxy a cutover switches
	// on or off; any other record keeps the proxy it has. A proxied record
	// is verified through the provider's API: the authoritative servers
	// answer the proxy's addresses.
	Proxied    []string
	NotProxied []string
	Range      hcl.Range
}

// ProxiedRecords maps Proxied's names to true and NotProxied's to false,
// lower-cased; nil when both are empty.
func (d *DNSProvider) ProxiedRecords() map[string]bool {
	if len(d.Proxied)+len(d.NotProxied) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, n := range d.Proxied {
		out[strings.ToLower(n)] = true
	}
	for _, n := range d.NotProxied {
		out[strings.ToLower(n)] = false
	}
	return out
}

// ProxyType is the dns type whose records may be proxied.
const ProxyType = "cloudflare"

// Zone is a `zone "NAME" { ... }` block: a zone whose source of truth is a
// zone file, which `lifeboat sync` makes every dns block of the zone hold.
type Zone struct {
	// Name is the zone, fully qualified, as the dns blocks spell it.
	Name string
	// File is the zone file's path, resolved against Dir.
	File  string
	Range hcl.Range
}

// Registrar is a `registrar "NAME" { ... }` block: who can change where a
// zone is delegated (its NS records in the parent zone).
type Registrar struct {
	Name string
	// Zone is the delegated zone, fully qualified, served by dns blocks.
	Zone string
	// Type names a registrar implementation ("rfc2136", "porkbun", "gandi").
	Type string
	// Vendor is the company running the registrar; default Type.
	Vendor string
	// Settings are the implementation's; values may be secrets.
	Settings map[string]string
	Range    hcl.Range
}

// Standby says how ready a provider is to take traffic.
type Standby string

const (
	StandbyActive Standby = "active" // serving or ready to serve now
	StandbyWarm   Standby = "warm"   // infrastructure exists, scaled down
	StandbyCold   Standby = "cold"   // nothing runs until apply
)

// Provider is a `provider "NAME" { ... }` block: one hosting provider.
type Provider struct {
	Name         string
	Vendor       string // default: Name
	Jurisdiction string
	Standby      Standby // default "active"
	// Addresses are the provider's known host addresses, used by checks
	// when the workspace outputs are not known yet.
	Addresses []string
	Terraform *Workspace
	Checks    []*Check
	Range     hcl.Range
}

// Workspace is a provider's `terraform { ... }` block.
type Workspace struct {
	// Dir is the Terraform root module, relative to Config.Dir.
	Dir string
	// Workspace is the Terraform workspace name; default "default".
	Workspace string
	// Vars are passed as -var to plan and apply for every service placed here.
	Vars map[string]string
	// SecretVars names the Vars whose expression calls a function (env(),
	// file(), anywhere in it, templates included): their values never go
	// into a plan, the journal or any output, whatever their length.
	SecretVars map[string]bool
	// PassEnv names the variables (NAME, or a prefix NAME_*) passed from
	// lifeboat's environment to the CLI besides BaseEnv and
	// TerraformBaseEnv: cloud and backend credentials. Nothing else is
	// inherited.
	PassEnv []string
	// StateVendor is the vendor holding the workspace's Terraform state,
	// for the audit, when its backend does not say (a custom endpoint).
	StateVendor string
	// BackendConfig completes the root module's backend block at init
	// (-backend-config key=value): a partial backend such as
	// `backend "s3" {}` gets its bucket, key and credentials here.
	BackendConfig map[string]string
	// SecretBackendConfig names the BackendConfig entries whose expression
	// calls a function (env(), file()): they never reach a command line,
	// a log line, an error or any output.
	SecretBackendConfig map[string]bool
	Range               hcl.Range
}

// Audit is the `audit { ... }` block.
type Audit struct {
	// DrillMaxAge: a service with no passed drill within it is a finding.
	// Default 720h (30 days).
	DrillMaxAge time.Duration
	Range       hcl.Range
}

// Service is a `service "NAME" { ... }` block: what must stay reachable.
type Service struct {
	Name string
	// Records are relative names in each DNS zone; "@" is the apex.
	Records []string
	TTL     int // seconds; default 60
	// RTO is the longest the service may be unreachable; the audit checks
	// the recovery-time budget against it. 0: not set.
	RTO time.Duration
	// Candidates are provider names in order of preference; the first is
	// the primary.
	Candidates []string
	// AddressOutput is the workspace output holding the host addresses
	// (a string or a list of strings). Default "addresses".
	AddressOutput string
	// DNS names the dns blocks to update; default all of them.
	DNS []string
	// Vars are passed to the target workspace's apply when the service moves there.
	Vars map[string]string
	// SecretVars names the Vars whose expression calls a function; see
	// Workspace.SecretVars.
	SecretVars map[string]bool
	// Adopt lets lifeboat take over records it did not create.
	Adopt  bool
	Checks []*Check
	// RPO is the largest data age accepted at a failover target: the
	// planner rejects a candidate whose data (every data block) is older
	// or of unknown age. 0: not set (data ages are shown, nothing is
	// gated). Needs at least one data block.
	RPO time.Duration
	// Data are the `data "NAME"` blocks: where the service's data lives at
	// each provider and how fresh it is there.
	Data []*Data
	// Backups are the `backup "NAME"` blocks: where the service's backups
	// live.
	Backups []*Backup
	// BackupMaxAge is the oldest the newest backup may be; default
	// DefaultBackupMaxAge when a backup block is written.
	BackupMaxAge time.Duration
	Range        hcl.Range
}

// Data is a `data "NAME" { ... }` block of a service. Exactly one of
// Postgres, HTTP and Exec is set.
type Data struct {
	Name     string
	Postgres *PostgresData
	HTTP     *HTTPData
	Exec     *ExecData
	// Fence replaces the default fence (for postgres, the old primary
	// made read-only); nil: the default, none for http and exec.
	Fence *DataAction
	// Promote replaces the default promotion (for postgres, pg_promote()
	// at the target's replica); nil: the default, none for http and exec.
	Promote *DataAction
	Range   hcl.Range
}

// Kind is the name of the source block that is set: "postgres", "http"
// or "exec".
func (d *Data) Kind() string {
	switch {
	case d.Postgres != nil:
		return "postgres"
	case d.HTTP != nil:
		return "http"
	case d.Exec != nil:
		return "exec"
	}
	return ""
}

// PostgresData is a data block's `postgres { ... }`.
type PostgresData struct {
	// DSN maps provider names to the connection string of the service's
	// database there (a primary or a streaming replica). Secret when the
	// expression calls env() or file(): never shown.
	DSN   map[string]string
	Range hcl.Range
}

// HTTPData is a data block's `http { ... }`: a URL per provider whose
// answer carries the time of the last write replicated or backed up there.
type HTTPData struct {
	// URL maps provider names to the URL asked.
	URL map[string]string
	// JSONField is a dotted path into a JSON body ("replication.last_write");
	// Header names a response header. Exactly one is set. The value is an
	// RFC 3339 time, or a number of Unix seconds.
	JSONField string
	Header    string
	// Headers are sent with the request (secrets allowed).
	Headers map[string]string
	Range   hcl.Range
}

// ExecData is a data block's `exec { ... }`: a command run once per
// provider (LIFEBOAT_PROVIDER and LIFEBOAT_ADDRESSES in its environment)
// that prints an RFC 3339 time or an age ("42s", or seconds).
type ExecData struct {
	Command []string
	Env     map[string]string
	PassEnv []string
	// Providers are where it is measured; default the service's candidates.
	Providers []string
	Range     hcl.Range
}

// DataAction is a data block's `fence { ... }` or `promote { ... }`:
// a command (told LIFEBOAT_PROVIDER, LIFEBOAT_SERVICE and LIFEBOAT_DATA),
// or, for promote only, a Terraform variable set to "true" in a second
// apply of the target's workspace. Exactly one of Command and
// TerraformVar is set, or Disabled.
type DataAction struct {
	Command      []string
	Env          map[string]string
	PassEnv      []string
	TerraformVar string
	// Disabled turns the default off (`enabled = false`): the
	// application fences or promotes by itself.
	Disabled bool
	Range    hcl.Range
}

// Backup is a `backup "NAME" { ... }` block of a service: where its
// backups live. Exactly one of Directory and S3 is set.
type Backup struct {
	Name string
	// Vendor runs the storage; the audit compares it with the primary's.
	// Required.
	Vendor       string
	Jurisdiction string
	// Directory holds backups as files (resolved against Config.Dir).
	Directory string
	S3        *S3Backup
	// Prefix selects the files or objects that are this service's
	// backups (a name prefix); default all.
	Prefix string
	Range  hcl.Range
}

// S3Backup is an S3-compatible bucket.
type S3Backup struct {
	// Endpoint is "https://host[:port]" (or http:// for loopback).
	Endpoint  string
	Bucket    string
	Region    string // default DefaultS3Region
	AccessKey string // secret
	SecretKey string // secret
	Range     hcl.Range
}

// Check is a `check "NAME" { ... }` block. Exactly one prober block is set.
type Check struct {
	Name string
	// Interval overrides policy.interval for this check.
	Interval time.Duration
	// Timeout bounds one probe; default policy.timeout.
	Timeout     time.Duration
	HTTP        *HTTPCheck
	TCP         *TCPCheck
	DNS         *DNSCheck
	Exec        *ExecCheck
	ProviderAPI *ProviderAPICheck
	Range       hcl.Range
}

// Kind is the name of the prober block that is set: "http", "tcp", "dns",
// "exec" or "provider_api".
func (c *Check) Kind() string {
	switch {
	case c.HTTP != nil:
		return "http"
	case c.TCP != nil:
		return "tcp"
	case c.DNS != nil:
		return "dns"
	case c.Exec != nil:
		return "exec"
	case c.ProviderAPI != nil:
		return "provider_api"
	}
	return ""
}

// HTTPCheck probes an HTTP(S) endpoint. Either URL (a fixed endpoint) or
// Path (requested from every address of the provider) is set.
type HTTPCheck struct {
	URL string
	// URLSecret is set when the url expression calls a function: the URL
	// is then never shown (results name the check instead).
	URLSecret bool
	Path      string // default "/" when URL is empty
	Scheme    string // "http" or "https" with Path; default "http"
	Port      int    // with Path; default 80/443 by scheme
	Method    string // default GET
	// Host overrides the Host header and TLS SNI: check an origin address
	// while sending the service's hostname.
	Host          string
	Headers       map[string]string
	ExpectStatus  []int // default 200-399 when empty
	BodyRegex     string
	ExpectHeaders map[string]string // header name -> regular expression
	MaxLatency    time.Duration
	// InsecureSkipVerify turns TLS verification off; it is on by default.
	InsecureSkipVerify bool
	// CertExpiryWarning marks the result when the certificate expires sooner.
	// Default 336h (14 days).
	CertExpiryWarning time.Duration
	FollowRedirects   bool // default true
	MaxRedirects      int  // default 10
	Range             hcl.Range
}

// TCPCheck connects to an address, optionally sends a string and expects
// a regular expression in the reply.
type TCPCheck struct {
	// Address is "host:port"; or Port alone, dialled on every provider address.
	Address string
	Port    int
	Send    string
	Expect  string
	Range   hcl.Range
}

// DNSCheck asks a DNS server for a name and type.
type DNSCheck struct {
	Server string // "host:port"
	Name   string
	Type   string // default "A"
	// Expect is a regular expression one answer must match; empty means
	// any answer with rcode NOERROR and at least one record.
	Expect string
	Range  hcl.Range
}

// ExecCheck runs a command; exit status 0 is healthy.
type ExecCheck struct {
	Command []string
	Env     map[string]string
	// PassEnv names the variables (NAME, or a prefix NAME_*) passed from
	// lifeboat's environment besides BaseEnv; nothing else is inherited.
	PassEnv []string
	Range   hcl.Range
}

// ProviderAPICheck asks the hosting provider's own API whether the account
// still exists; 401/403 or a body saying suspended/terminated is
// account_lost, a different signal from unreachable.
type ProviderAPICheck struct {
	URL    string
	Method string // default GET
	// Token is sent as "Authorization: Bearer TOKEN" unless Header says otherwise. Secret.
	Token  string
	Header string // default "Authorization"
	// LostPattern is a regular expression over the body that means the
	// account is gone; always set by the loader, default DefaultLostPattern.
	LostPattern string
	// WarnPattern is a regular expression over the body that means the
	// account is at risk (a warning, an overdue bill): the provider's
	// records get the emergency TTL. Empty: never.
	WarnPattern string
	Range       hcl.Range
}

// Policy is the `policy { ... }` block.
type Policy struct {
	Interval     time.Duration // default 5s
	Timeout      time.Duration // one probe; default 3s
	FailAfter    int           // consecutive failed rounds; default 3
	RecoverAfter int           // consecutive good rounds; default 5
	// Quorum is the fraction of a provider's checks that must fail in a
	// round for the round to count as failed; default 0.5.
	Quorum       float64
	AutoFailover bool          // default false
	Cooldown     time.Duration // default 30m
	// MaxAuto bounds the automatic failovers the daemon starts within
	// AutoWindow; more are held back for a person. Default 3 per 24h.
	MaxAuto    int
	AutoWindow time.Duration
	// Concurrency bounds checks in flight; default 64.
	Concurrency int
	// WaitHealthy bounds the wait for a new target's checks to pass. Default 5m.
	WaitHealthy time.Duration
	// VerifyDNS bounds the wait for authoritative servers to serve the new answer. Default 2m.
	VerifyDNS time.Duration
	// NodeQuorum is how many lifeboat nodes must see a provider down (or
	// account_lost) before the leader declares it lost, with state.etcd;
	// 0 (the default, and allowed written) means a majority of the live
	// nodes. Negative is an error.
	NodeQuorum int
	// SyncInterval is how often `lifeboat run` makes every DNS provider of
	// a zone hold the zone's first provider's records; 0 (the default):
	// never by itself.
	SyncInterval time.Duration
	// AutoRedelegate lets `lifeboat run` change a zone's delegation at its
	// registrar when a DNS provider is lost; off (the default), the
	// redelegate step waits in the plan for a person.
	AutoRedelegate bool
	// EmergencyTTL is the TTL the records pointing at a provider at risk
	// are lowered to; default 30s, whole seconds.
	EmergencyTTL time.Duration
	// RecoveryWindow is how long a provider must stay healthy before its
	// records get their normal TTL back; default 10m.
	RecoveryWindow time.Duration
	// Reference are checks of targets outside every provider (`reference
	// "NAME" { http {...} }`, a check block's shape). When every one of
	// them fails, this node cannot see the world and the daemon acts on
	// nothing. None by default.
	Reference []*Check
	// DataInterval is how often `lifeboat run` measures every data block
	// and backup; default DefaultDataInterval.
	DataInterval time.Duration
	Range        hcl.Range
}

// DrillMode is how much a drill really changes.
type DrillMode string

const (
	DrillReadiness DrillMode = "readiness"
	DrillCanary    DrillMode = "canary"
	DrillFull      DrillMode = "full"
	// DrillRestore restores the newest backup into a scratch database
	// at the drill's target and checks it.
	DrillRestore DrillMode = "restore"
)

// Drill is a `drill "NAME" { ... }` block.
type Drill struct {
	Name     string
	Schedule string // robfig/cron standard spec or descriptor
	Service  string
	Mode     DrillMode // default "readiness"
	// Record is the drill-only record for canary drills; default "drill-" + the service's first non-apex record.
	Record string
	Target string // provider to drill toward; default the planner's choice
	// Restore tunes a restore drill; set (defaults filled) for mode "restore".
	Restore *RestoreDrill
	Range   hcl.Range
}

// RestoreDrill is a drill's `restore { ... }` block.
type RestoreDrill struct {
	// Backup names the service's backup block; default its first.
	Backup string
	// Data names the postgres data block restored; default the first.
	Data string
	// DSN is where the scratch database is created (a writable server at
	// the drill's target); default the data block's DSN at the target.
	DSN string
	// Command replaces pg_restore: run with LIFEBOAT_BACKUP_FILE and
	// LIFEBOAT_RESTORE_DSN in its environment.
	Command []string
	// Query must return at least one row in the restored database.
	Query string
	// Timeout bounds the restore; default DefaultRestoreTimeout.
	Timeout time.Duration
	Range   hcl.Range
}

// Notify is a `notify "NAME" { ... }` block: exactly one of Webhook and
// Slack is set.
type Notify struct {
	Name    string
	Webhook *Webhook
	Slack   *Slack
	// Events filters what is sent; empty means all.
	Events []string
	// Vendor runs the endpoint, for the audit; default "slack" for a
	// slack block, else empty (not said).
	Vendor string
	// Timeout bounds one delivery attempt; default 10s.
	Timeout time.Duration
	// Retries are further attempts after a failed one, with backoff;
	// default 3.
	Retries int
	Range   hcl.Range
}

// Webhook posts JSON events.
type Webhook struct {
	URL     string // secret (tokens often live in webhook URLs)
	Headers map[string]string
	// Secret, when set, signs each body: the X-Lifeboat-Signature header
	// carries "sha256=" and the hex HMAC-SHA256 of the body.
	Secret string
	Range  hcl.Range
}

// Slack posts Slack incoming-webhook messages ({"text": ...}).
type Slack struct {
	URL   string // secret: the URL is the credential
	Range hcl.Range
}

// VendorName is the provider's vendor: Vendor, or its name. The loader
// fills the default; this keeps hand-built configurations right.
func (p *Provider) VendorName() string {
	if p.Vendor != "" {
		return p.Vendor
	}
	return p.Name
}

// VendorName is the DNS provider's vendor: Vendor, or its type.
func (d *DNSProvider) VendorName() string {
	if d.Vendor != "" {
		return d.Vendor
	}
	return d.Type
}

// UsesDNS reports whether the service's records are written to the dns
// block name: its dns list, or every block when it lists none.
func (s *Service) UsesDNS(name string) bool {
	return len(s.DNS) == 0 || slices.Contains(s.DNS, name)
}

// Provider returns the provider named name, or nil.
func (c *Config) Provider(name string) *Provider {
	for _, p := range c.Providers {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Service returns the service named name, or nil.
func (c *Config) Service(name string) *Service {
	for _, s := range c.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// ZoneFile returns the zone file that is zone's source of truth, or "".
func (c *Config) ZoneFile(zone string) string {
	for _, z := range c.Zones {
		if z.Name == zone {
			return z.File
		}
	}
	return ""
}

// Registrar returns the registrar block of zone, or nil.
func (c *Config) Registrar(zone string) *Registrar {
	for _, r := range c.Registrars {
		if r.Zone == zone {
			return r
		}
	}
	return nil
}

// DNSProvider returns the dns block named name, or nil.
func (c *Config) DNSProvider(name string) *DNSProvider {
	for _, d := range c.DNS {
		if d.Name == name {
			return d
		}
	}
	return nil
}
