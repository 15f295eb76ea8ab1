package config

import "github.com/hashicorp/hcl/v2"

// The raw structs mirror the HCL language one to one. gohcl decodes into
// them (rejecting unknown attributes and blocks); convert.go then validates
// them and builds the public types. Optional scalars are pointers so that
// "not written" and "written as zero" stay distinguishable: an explicit
// ttl = 0 is an error, a missing ttl takes the default. Every block keeps
// its body so attribute positions can be looked up for diagnostics.
//
// Blocks that may appear at most once are still slices: the converter
// reports the second one itself, with a message naming the first's line.

type rawFile struct {
	State     []*rawState        `hcl:"state,block"`
	Terraform []*rawTerraformCLI `hcl:"terraform,block"`
	DNS       []*rawDNS          `hcl:"dns,block"`
	Providers []*rawProvider     `hcl:"provider,block"`
	Services  []*rawService      `hcl:"service,block"`
	Policy    []*rawPolicy       `hcl:"policy,block"`
	Drills    []*rawDrill        `hcl:"drill,block"`
	Notify    []*rawNotify       `hcl:"notify,block"`
	Server    []*rawServer       `hcl:"server,block"`
	Audit     []*rawAudit        `hcl:"audit,block"`
	Registrar []*rawRegistrar    `hcl:"registrar,block"`
	Zones     []*rawZone         `hcl:"zone,block"`
}

type rawZone struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	File      *string   `hcl:"file,optional"`
	Body      hcl.Body  `hcl:",body"`
	DefRange  hcl.Range `hcl:",def_range"`
}

type rawRegistrar struct {
	Name      string            `hcl:"name,label"`
	NameRange hcl.Range         `hcl:"name,label_range"`
	Type      *string           `hcl:"type,optional"`
	Zone      *string           `hcl:"zone,optional"`
	Vendor    *string           `hcl:"vendor,optional"`
	Settings  map[string]string `hcl:"settings,optional"`
	Body      hcl.Body          `hcl:",body"`
	DefRange  hcl.Range         `hcl:",def_range"`
}

type rawAudit struct {
	DrillMaxAge *string   `hcl:"drill_max_age,optional"`
	Body        hcl.Body  `hcl:",body"`
	DefRange    hcl.Range `hcl:",def_range"`
}

type rawState struct {
	Path         *string    `hcl:"path,optional"`
	Vendor       *string    `hcl:"vendor,optional"`
	Jurisdiction *string    `hcl:"jurisdiction,optional"`
	Etcd         []*rawEtcd `hcl:"etcd,block"`
	Body         hcl.Body   `hcl:",body"`
	DefRange     hcl.Range  `hcl:",def_range"`
}

type rawEtcd struct {
	Endpoints  []string  `hcl:"endpoints,optional"`
	Prefix     *string   `hcl:"prefix,optional"`
	Username   *string   `hcl:"username,optional"`
	Password   *string   `hcl:"password,optional"`
	CAFile     *string   `hcl:"ca_file,optional"`
	CertFile   *string   `hcl:"cert_file,optional"`
	KeyFile    *string   `hcl:"key_file,optional"`
	Node       *string   `hcl:"node,optional"`
	Lease      *string   `hcl:"lease,optional"`
	MaxRecords *int      `hcl:"max_records,optional"`
	Body       hcl.Body  `hcl:",body"`
	DefRange   hcl.Range `hcl:",def_range"`
}

type rawTerraformCLI struct {
	Binary         *string   `hcl:"binary,optional"`
	CLIConfigFile  *string   `hcl:"cli_config_file,optional"`
	PluginCacheDir *string   `hcl:"plugin_cache_dir,optional"`
	Timeout        *string   `hcl:"timeout,optional"`
	LockTimeout    *string   `hcl:"lock_timeout,optional"`
	Body           hcl.Body  `hcl:",body"`
	DefRange       hcl.Range `hcl:",def_range"`
}

type rawDNS struct {
	Name         string            `hcl:"name,label"`
	NameRange    hcl.Range         `hcl:"name,label_range"`
	Type         *string           `hcl:"type,optional"`
	Zone         *string           `hcl:"zone,optional"`
	Vendor       *string           `hcl:"vendor,optional"`
	Jurisdiction *string           `hcl:"jurisdiction,optional"`
	Settings     map[string]string `hcl:"settings,optional"`
	Nameservers  []string          `hcl:"nameservers,optional"`
	NSNames      []string          `hcl:"ns_names,optional"`
	Proxied      []string          `hcl:"proxied,optional"`
	NotProxied   []string          `hcl:"not_proxied,optional"`
	Body         hcl.Body          `hcl:",body"`
	DefRange     hcl.Range         `hcl:",def_range"`
}

type rawProvider struct {
	Name         string          `hcl:"name,label"`
	NameRange    hcl.Range       `hcl:"name,label_range"`
	Vendor       *string         `hcl:"vendor,optional"`
	Jurisdiction *string         `hcl:"jurisdiction,optional"`
	Standby      *string         `hcl:"standby,optional"`
	Addresses    []string        `hcl:"addresses,optional"`
	Terraform    []*rawWorkspace `hcl:"terraform,block"`
	Checks       []*rawCheck     `hcl:"check,block"`
	Body         hcl.Body        `hcl:",body"`
	DefRange     hcl.Range       `hcl:",def_range"`
}

type rawWorkspace struct {
	Dir         *string           `hcl:"dir,optional"`
	Workspace   *string           `hcl:"workspace,optional"`
	StateVendor *string           `hcl:"state_vendor,optional"`
	Vars        map[string]string `hcl:"vars,optional"`
	PassEnv     []string          `hcl:"pass_env,optional"`
	Body        hcl.Body          `hcl:",body"`
	DefRange    hcl.Range         `hcl:",def_range"`
}

type rawService struct {
	Name          string            `hcl:"name,label"`
	NameRange     hcl.Range         `hcl:"name,label_range"`
	Records       []string          `hcl:"records,optional"`
	TTL           *int              `hcl:"ttl,optional"`
	RTO           *string           `hcl:"rto,optional"`
	Candidates    []string          `hcl:"candidates,optional"`
	AddressOutput *string           `hcl:"address_output,optional"`
	DNS           []string          `hcl:"dns,optional"`
	Vars          map[string]string `hcl:"vars,optional"`
	Adopt         *bool             `hcl:"adopt,optional"`
	RPO           *string           `hcl:"rpo,optional"`
	BackupMaxAge  *string           `hcl:"backup_max_age,optional"`
	Checks        []*rawCheck       `hcl:"check,block"`
	Data          []*rawData        `hcl:"data,block"`
	Backups       []*rawBackup      `hcl:"backup,block"`
	Body          hcl.Body          `hcl:",body"`
	DefRange      hcl.Range         `hcl:",def_range"`
}

// rawData is a service's `data "NAME"` block: one source block (postgres,
// http or exec) and the optional fence and promote overrides.
type rawData struct {
	Name      string             `hcl:"name,label"`
	NameRange hcl.Range          `hcl:"name,label_range"`
	Postgres  []*rawPostgresData `hcl:"postgres,block"`
	HTTP      []*rawHTTPData     `hcl:"http,block"`
	Exec      []*rawExecData     `hcl:"exec,block"`
	Fence     []*rawFence        `hcl:"fence,block"`
	Promote   []*rawPromote      `hcl:"promote,block"`
	Body      hcl.Body           `hcl:",body"`
	DefRange  hcl.Range          `hcl:",def_range"`
}

type rawPostgresData struct {
	DSN      map[string]string `hcl:"dsn,optional"`
	Body     hcl.Body          `hcl:",body"`
	DefRange hcl.Range         `hcl:",def_range"`
}

type rawHTTPData struct {
	URL       map[string]string `hcl:"url,optional"`
	JSONField *string           `hcl:"json_field,optional"`
	Header    *string           `hcl:"header,optional"`
	Headers   map[string]string `hcl:"headers,optional"`
	Body      hcl.Body          `hcl:",body"`
	DefRange  hcl.Range         `hcl:",def_range"`
}

type rawExecData struct {
	Command   []string          `hcl:"command,optional"`
	Env       map[string]string `hcl:"env,optional"`
	PassEnv   []string          `hcl:"pass_env,optional"`
	Providers []string          `hcl:"providers,optional"`
	Body      hcl.Body          `hcl:",body"`
	DefRange  hcl.Range         `hcl:",def_range"`
}

// rawFence has no terraform_var: a fence acts on the old primary, which
// may be unreachable, so no apply of its workspace can be relied on.
type rawFence struct {
	Command  []string          `hcl:"command,optional"`
	Env      map[string]string `hcl:"env,optional"`
	PassEnv  []string          `hcl:"pass_env,optional"`
	Enabled  *bool             `hcl:"enabled,optional"`
	Body     hcl.Body          `hcl:",body"`
	DefRange hcl.Range         `hcl:",def_range"`
}

type rawPromote struct {
	Command      []string          `hcl:"command,optional"`
	Env          map[string]string `hcl:"env,optional"`
	PassEnv      []string          `hcl:"pass_env,optional"`
	TerraformVar *string           `hcl:"terraform_var,optional"`
	Enabled      *bool             `hcl:"enabled,optional"`
	Body         hcl.Body          `hcl:",body"`
	DefRange     hcl.Range         `hcl:",def_range"`
}

// rawBackup is a service's `backup "NAME"` block.
type rawBackup struct {
	Name         string    `hcl:"name,label"`
	NameRange    hcl.Range `hcl:"name,label_range"`
	Vendor       *string   `hcl:"vendor,optional"`
	Jurisdiction *string   `hcl:"jurisdiction,optional"`
	Directory    *string   `hcl:"directory,optional"`
	Prefix       *string   `hcl:"prefix,optional"`
	S3           []*rawS3  `hcl:"s3,block"`
	Body         hcl.Body  `hcl:",body"`
	DefRange     hcl.Range `hcl:",def_range"`
}

type rawS3 struct {
	Endpoint  *string   `hcl:"endpoint,optional"`
	Bucket    *string   `hcl:"bucket,optional"`
	Region    *string   `hcl:"region,optional"`
	AccessKey *string   `hcl:"access_key,optional"`
	SecretKey *string   `hcl:"secret_key,optional"`
	Body      hcl.Body  `hcl:",body"`
	DefRange  hcl.Range `hcl:",def_range"`
}

type rawCheck struct {
	Name        string                 `hcl:"name,label"`
	NameRange   hcl.Range              `hcl:"name,label_range"`
	Interval    *string                `hcl:"interval,optional"`
	Timeout     *string                `hcl:"timeout,optional"`
	HTTP        []*rawHTTPCheck        `hcl:"http,block"`
	TCP         []*rawTCPCheck         `hcl:"tcp,block"`
	DNS         []*rawDNSCheck         `hcl:"dns,block"`
	Exec        []*rawExecCheck        `hcl:"exec,block"`
	ProviderAPI []*rawProviderAPICheck `hcl:"provider_api,block"`
	Body        hcl.Body               `hcl:",body"`
	DefRange    hcl.Range              `hcl:",def_range"`
}

type rawHTTPCheck struct {
	URL                *string           `hcl:"url,optional"`
	Path               *string           `hcl:"path,optional"`
	Scheme             *string           `hcl:"scheme,optional"`
	Port               *int              `hcl:"port,optional"`
	Method             *string           `hcl:"method,optional"`
	Host               *string           `hcl:"host,optional"`
	Headers            map[string]string `hcl:"headers,optional"`
	ExpectStatus       []int             `hcl:"expect_status,optional"`
	BodyRegex          *string           `hcl:"body_regex,optional"`
	ExpectHeaders      map[string]string `hcl:"expect_headers,optional"`
	MaxLatency         *string           `hcl:"max_latency,optional"`
	InsecureSkipVerify *bool             `hcl:"insecure_skip_verify,optional"`
	CertExpiryWarning  *string           `hcl:"cert_expiry_warning,optional"`
	FollowRedirects    *bool             `hcl:"follow_redirects,optional"`
	MaxRedirects       *int              `hcl:"max_redirects,optional"`
	Body               hcl.Body          `hcl:",body"`
	DefRange           hcl.Range         `hcl:",def_range"`
}

type rawTCPCheck struct {
	Address  *string   `hcl:"address,optional"`
	Port     *int      `hcl:"port,optional"`
	Send     *string   `hcl:"send,optional"`
	Expect   *string   `hcl:"expect,optional"`
	Body     hcl.Body  `hcl:",body"`
	DefRange hcl.Range `hcl:",def_range"`
}

type rawDNSCheck struct {
	Server   *string   `hcl:"server,optional"`
	Name     *string   `hcl:"name,optional"`
	Type     *string   `hcl:"type,optional"`
	Expect   *string   `hcl:"expect,optional"`
	Body     hcl.Body  `hcl:",body"`
	DefRange hcl.Range `hcl:",def_range"`
}

type rawExecCheck struct {
	Command  []string          `hcl:"command,optional"`
	Env      map[string]string `hcl:"env,optional"`
	PassEnv  []string          `hcl:"pass_env,optional"`
	Body     hcl.Body          `hcl:",body"`
	DefRange hcl.Range         `hcl:",def_range"`
}

type rawProviderAPICheck struct {
	URL         *string   `hcl:"url,optional"`
	Method      *string   `hcl:"method,optional"`
	Token       *string   `hcl:"token,optional"`
	Header      *string   `hcl:"header,optional"`
	LostPattern *string   `hcl:"lost_pattern,optional"`
	WarnPattern *string   `hcl:"warn_pattern,optional"`
	Body        hcl.Body  `hcl:",body"`
	DefRange    hcl.Range `hcl:",def_range"`
}

type rawPolicy struct {
	Interval     *string     `hcl:"interval,optional"`
	Timeout      *string     `hcl:"timeout,optional"`
	FailAfter    *int        `hcl:"fail_after,optional"`
	RecoverAfter *int        `hcl:"recover_after,optional"`
	Quorum       *float64    `hcl:"quorum,optional"`
	AutoFailover *bool       `hcl:"auto_failover,optional"`
	Cooldown     *string     `hcl:"cooldown,optional"`
	MaxAuto      *int        `hcl:"max_auto_failovers,optional"`
	AutoWindow   *string     `hcl:"auto_failover_window,optional"`
	Concurrency  *int        `hcl:"concurrency,optional"`
	WaitHealthy  *string     `hcl:"wait_healthy,optional"`
	VerifyDNS    *string     `hcl:"verify_dns,optional"`
	NodeQuorum   *int        `hcl:"node_quorum,optional"`
	SyncInterval *string     `hcl:"sync_interval,optional"`
	AutoRedeleg  *bool       `hcl:"auto_redelegate,optional"`
	EmergencyTTL *string     `hcl:"emergency_ttl,optional"`
	RecoveryWin  *string     `hcl:"recovery_window,optional"`
	DataInterval *string     `hcl:"data_interval,optional"`
	Reference    []*rawCheck `hcl:"reference,block"`
	Body         hcl.Body    `hcl:",body"`
	DefRange     hcl.Range   `hcl:",def_range"`
}

type rawDrill struct {
	Name      string             `hcl:"name,label"`
	NameRange hcl.Range          `hcl:"name,label_range"`
	Schedule  *string            `hcl:"schedule,optional"`
	Service   *string            `hcl:"service,optional"`
	Mode      *string            `hcl:"mode,optional"`
	Record    *string            `hcl:"record,optional"`
	Target    *string            `hcl:"target,optional"`
	Restore   []*rawRestoreDrill `hcl:"restore,block"`
	Body      hcl.Body           `hcl:",body"`
	DefRange  hcl.Range          `hcl:",def_range"`
}

type rawRestoreDrill struct {
	Backup   *string   `hcl:"backup,optional"`
	Data     *string   `hcl:"data,optional"`
	DSN      *string   `hcl:"dsn,optional"`
	Command  []string  `hcl:"command,optional"`
	Query    *string   `hcl:"query,optional"`
	Timeout  *string   `hcl:"timeout,optional"`
	Body     hcl.Body  `hcl:",body"`
	DefRange hcl.Range `hcl:",def_range"`
}

type rawNotify struct {
	Name      string        `hcl:"name,label"`
	NameRange hcl.Range     `hcl:"name,label_range"`
	Webhook   []*rawWebhook `hcl:"webhook,block"`
	Slack     []*rawSlack   `hcl:"slack,block"`
	Events    []string      `hcl:"events,optional"`
	Vendor    *string       `hcl:"vendor,optional"`
	Timeout   *string       `hcl:"timeout,optional"`
	Retries   *int          `hcl:"retries,optional"`
	Body      hcl.Body      `hcl:",body"`
	DefRange  hcl.Range     `hcl:",def_range"`
}

type rawWebhook struct {
	URL      *string           `hcl:"url,optional"`
	Headers  map[string]string `hcl:"headers,optional"`
	Secret   *string           `hcl:"secret,optional"`
	Body     hcl.Body          `hcl:",body"`
	DefRange hcl.Range         `hcl:",def_range"`
}

type rawSlack struct {
	URL      *string   `hcl:"url,optional"`
	Body     hcl.Body  `hcl:",body"`
	DefRange hcl.Range `hcl:",def_range"`
}
