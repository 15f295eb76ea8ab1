package config

import (
	"net"
	"strings"
	"time"
)

// Every default of the configuration language is declared here, and
// applied by applyDefaults once a file has been validated: the engines
// read every field as set and keep no defaults of their own. A zero value in
// a validated configuration means "not written": validation rejects every
// explicit zero that would be meaningless (ttl = 0, quorum = 0, ...). The
// two settings whose zero is meaningful, http.follow_redirects (false) and
// http.max_redirects (0), are defaulted while decoding instead, from the
// constants below.
const (
	// DefaultStatePath is state.path: the bbolt journal, relative to the
	// configuration file's directory.
	DefaultStatePath = "lifeboat.db"
	// DefaultBackupMaxAge is service.backup_max_age (with a backup block): a daily backup, and
	// two hours' slack.
	DefaultBackupMaxAge = 26 * time.Hour
	// DefaultS3Region is service.backup.s3.region.
	DefaultS3Region = "us-east-1"
	// DefaultRestoreTimeout is drill.restore.timeout: one restore of the
	// newest backup into a scratch database, and its query.
	DefaultRestoreTimeout = 30 * time.Minute
	// DefaultDataInterval is policy.data_interval: how often every data
	// block and backup is measured.
	DefaultDataInterval = 15 * time.Second
	// DefaultEtcdPrefix is state.etcd.prefix.
	DefaultEtcdPrefix = "/lifeboat/"
	// DefaultDrillMaxAge is audit.drill_max_age.
	DefaultDrillMaxAge = 30 * 24 * time.Hour
	// DefaultEtcdLease is state.etcd.lease. A written lease is rounded up
	// to whole seconds: etcd grants leases in seconds.
	DefaultEtcdLease = 3 * time.Second
	// DefaultEtcdMaxRecords is state.etcd.max_records: the records of each
	// kind the event log keeps. The journal's DefaultMaxRecordsPerKind is
	// this one (bbolt keeps as many).
	DefaultEtcdMaxRecords = 10000
	// minEtcdMaxRecords keeps enough history to read back an incident.
	minEtcdMaxRecords = 100

	// DefaultTerraformTimeout is terraform.timeout: one init, plan or apply.
	DefaultTerraformTimeout = 10 * time.Minute
	// DefaultTerraformLockTimeout is terraform.lock_timeout: how long an
	// apply waits for a state lock held by another command.
	DefaultTerraformLockTimeout = 30 * time.Second
	// DefaultWorkspace is provider.terraform.workspace.
	DefaultWorkspace = "default"

	// DefaultInterval is policy.interval: how often every check runs.
	DefaultInterval = 5 * time.Second
	// DefaultTimeout is policy.timeout: how long one probe may take.
	DefaultTimeout = 3 * time.Second
	// DefaultFailAfter is policy.fail_after: consecutive failed rounds
	// before a provider is lost.
	DefaultFailAfter = 3
	// DefaultRecoverAfter is policy.recover_after: consecutive good rounds
	// before a lost provider counts as healthy again.
	DefaultRecoverAfter = 5
	// DefaultQuorum is policy.quorum: the fraction of a provider's checks
	// that must fail for a round to count as failed.
	DefaultQuorum = 0.5
	// DefaultCooldown is policy.cooldown: the minimum time between two
	// automatic failovers of one service.
	DefaultCooldown = 30 * time.Minute
	// DefaultMaxAuto is policy.max_auto_failovers: automatic failovers
	// allowed within policy.auto_failover_window before the daemon holds
	// back and waits for a person.
	DefaultMaxAuto = 3
	// DefaultAutoWindow is policy.auto_failover_window.
	DefaultAutoWindow = 24 * time.Hour
	// DefaultConcurrency is policy.concurrency: checks in flight at once.
	DefaultConcurrency = 64
	// DefaultWaitHealthy is policy.wait_healthy.
	DefaultWaitHealthy = 5 * time.Minute
	// DefaultVerifyDNS is policy.verify_dns.
	DefaultVerifyDNS = 2 * time.Minute

	// DefaultEmergencyTTL is policy.emergency_ttl: the TTL of the records
	// pointing at a provider at risk.
	DefaultEmergencyTTL = 30 * time.Second
	// DefaultRecoveryWindow is policy.recovery_window: how long a provider
	// at risk must be healthy again before its records' TTL is restored.
	DefaultRecoveryWindow = 10 * time.Minute

	// DefaultTTL is service.ttl in seconds.
	DefaultTTL = 60
	// DefaultAddressOutput is service.address_output.
	DefaultAddressOutput = "addresses"

	// DefaultDrillMode is drill.mode: the drill that changes nothing.
	DefaultDrillMode = DrillReadiness

	// DefaultListen is server.listen: loopback only.
	DefaultListen = "127.0.0.1:9797"
	// DefaultMaxConnections is server.max_connections.
	DefaultMaxConnections = 256
	// DefaultMaxConnectionsPerClient is server.max_connections_per_client
	// (never more than max_connections).
	DefaultMaxConnectionsPerClient = 32
	// DefaultServerIdleTimeout is server.idle_timeout.
	DefaultServerIdleTimeout = 30 * time.Second
	// DefaultNotifyTimeout is notify.timeout: one delivery attempt.
	DefaultNotifyTimeout = 10 * time.Second
	// DefaultNotifyRetries is notify.retries.
	DefaultNotifyRetries = 3

	// DefaultHTTPMethod is http.method and provider_api.method.
	DefaultHTTPMethod = "GET"
	// DefaultHTTPPath is http.path when neither url nor path is written.
	DefaultHTTPPath = "/"
	// DefaultHTTPScheme is http.scheme with path.
	DefaultHTTPScheme = "http"
	// DefaultCertExpiryWarning is http.cert_expiry_warning (14 days).
	DefaultCertExpiryWarning = 336 * time.Hour
	// DefaultFollowRedirects is http.follow_redirects.
	DefaultFollowRedirects = true
	// DefaultMaxRedirects is http.max_redirects.
	DefaultMaxRedirects = 10

	// DefaultDNSCheckType is check.dns.type: the record type a dns check
	// asks for.
	DefaultDNSCheckType = "A"

	// DefaultAPIHeader is provider_api.header, where the token is sent.
	DefaultAPIHeader = "Authorization"
	// DefaultLostPattern is provider_api.lost_pattern: a body matching it
	// means the account is gone. Whole words only, so "unbanned" or
	// "closed_at" in an ordinary answer do not count.
	DefaultLostPattern = `(?i)\b(suspended|terminated|banned|closed|deactivated)\b`
)

// applyDefaults fills every field left unwritten in a validated
// configuration. It runs after validation, so references resolve.
func applyDefaults(c *Config) {
	if c.State.Path == "" {
		c.State.Path = DefaultStatePath
	}
	if e := c.State.Etcd; e != nil {
		if e.Prefix == "" {
			e.Prefix = DefaultEtcdPrefix
		}
		if e.Node == "" {
			e.Node = defaultNodeName()
		}
		setDur(&e.Lease, DefaultEtcdLease)
		setInt(&e.MaxRecords, DefaultEtcdMaxRecords)
		// etcd leases are whole seconds: round up, never shorten.
		e.Lease = (e.Lease + time.Second - 1).Truncate(time.Second)
		for _, f := range []*string{&e.CAFile, &e.CertFile, &e.KeyFile} {
			if *f != "" {
				*f = c.Path(*f)
			}
		}
	}
	// terraform.binary stays empty: the terraform package looks for "tofu",
	// then "terraform", in PATH.
	if c.Terraform.Timeout == 0 {
		c.Terraform.Timeout = DefaultTerraformTimeout
	}
	if c.Terraform.LockTimeout == 0 {
		c.Terraform.LockTimeout = DefaultTerraformLockTimeout
	}

	p := &c.Policy
	setDur(&p.Interval, DefaultInterval)
	setDur(&p.Timeout, DefaultTimeout)
	setInt(&p.FailAfter, DefaultFailAfter)
	setDur(&p.EmergencyTTL, DefaultEmergencyTTL)
	setDur(&p.RecoveryWindow, DefaultRecoveryWindow)
	for _, z := range c.Zones {
		z.File = c.Path(z.File)
	}
	for _, g := range c.Registrars {
		if g.Vendor == "" {
			g.Vendor = g.Type
		}
	}
	setInt(&p.RecoverAfter, DefaultRecoverAfter)
	if p.Quorum == 0 {
		p.Quorum = DefaultQuorum
	}
	setDur(&p.Cooldown, DefaultCooldown)
	setInt(&p.MaxAuto, DefaultMaxAuto)
	setDur(&p.AutoWindow, DefaultAutoWindow)
	setInt(&p.Concurrency, DefaultConcurrency)
	setDur(&p.WaitHealthy, DefaultWaitHealthy)
	setDur(&p.VerifyDNS, DefaultVerifyDNS)
	setDur(&p.DataInterval, DefaultDataInterval)
	for _, n := range c.Notify {
		setDur(&n.Timeout, DefaultNotifyTimeout)
		if n.Retries < 0 {
			n.Retries = DefaultNotifyRetries
		}
	}
	setDur(&c.Audit.DrillMaxAge, DefaultDrillMaxAge)
	for _, n := range c.Notify {
		if n.Vendor == "" && n.Slack != nil {
			n.Vendor = "slack"
		}
	}
	if s := c.Server; s != nil {
		setInt(&s.MaxConnections, DefaultMaxConnections)
		setInt(&s.MaxConnectionsPerClient, min(DefaultMaxConnectionsPerClient, s.MaxConnections))
		setDur(&s.IdleTimeout, DefaultServerIdleTimeout)
		for _, f := range []*string{&s.TLSCert, &s.TLSKey} {
			if *f != "" {
				*f = c.Path(*f)
			}
		}
	}

	var dnsNames []string
	for _, d := range c.DNS {
		dnsNames = append(dnsNames, d.Name)
		if d.Vendor == "" {
			d.Vendor = d.Type
		}
		// An rfc2136 server is the primary authoritative server: verify
		// the cutover there unless other nameservers are listed.
		if len(d.Nameservers) == 0 && d.Type == "rfc2136" && d.Settings["server"] != "" {
			d.Nameservers = []string{d.Settings["server"]}
		}
		// Otherwise the names the zone is delegated to for this provider
		// are its own servers: asking them checks this vendor alone, where
		// the zone's NS records would mix every vendor's.
		if len(d.Nameservers) == 0 {
			for _, n := range d.NSNames {
				d.Nameservers = append(d.Nameservers, net.JoinHostPort(strings.TrimSuffix(n, "."), "53"))
			}
		}
	}

	for _, pr := range c.Providers {
		if pr.Vendor == "" {
			pr.Vendor = pr.Name
		}
		if pr.Standby == "" {
			pr.Standby = StandbyActive
		}
		if w := pr.Terraform; w != nil && w.Workspace == "" {
			w.Workspace = DefaultWorkspace
		}
		for _, ch := range pr.Checks {
			checkDefaults(ch, p)
		}
	}

	for _, ch := range p.Reference {
		checkDefaults(ch, p)
	}

	for _, s := range c.Services {
		setInt(&s.TTL, DefaultTTL)
		if s.AddressOutput == "" {
			s.AddressOutput = DefaultAddressOutput
		}
		if s.DNS == nil {
			// Every declared dns block, in file order.
			s.DNS = append([]string(nil), dnsNames...)
		}
		for _, ch := range s.Checks {
			checkDefaults(ch, p)
		}
		dataDefaults(c, s)
	}

	for _, d := range c.Drills {
		if d.Mode == "" {
			d.Mode = DefaultDrillMode
		}
		if d.Record == "" {
			if s := c.Service(d.Service); s != nil {
				d.Record = drillRecord(s.Records)
			}
		}
		if d.Mode == DrillRestore {
			restoreDefaults(d, c.Service(d.Service))
		}
	}
}

// dataDefaults fills a service's data and backup blocks.
func dataDefaults(c *Config, s *Service) {
	if len(s.Backups) > 0 {
		setDur(&s.BackupMaxAge, DefaultBackupMaxAge)
	}
	for _, k := range s.Backups {
		k.Directory = c.Path(k.Directory)
		if k.S3 != nil && k.S3.Region == "" {
			k.S3.Region = DefaultS3Region
		}
	}
	for _, d := range s.Data {
		if e := d.Exec; e != nil && e.Providers == nil {
			e.Providers = append([]string(nil), s.Candidates...)
		}
	}
}

// restoreDefaults fills a restore drill: the service's first backup and
// first postgres data block. The DSN stays empty: the drill reads the
// data block's DSN at the target it chooses.
func restoreDefaults(d *Drill, s *Service) {
	if d.Restore == nil {
		d.Restore = &RestoreDrill{Range: d.Range}
	}
	r := d.Restore
	setDur(&r.Timeout, DefaultRestoreTimeout)
	if s == nil {
		return
	}
	if r.Backup == "" && len(s.Backups) > 0 {
		r.Backup = s.Backups[0].Name
	}
	if r.Data == "" {
		for _, x := range s.Data {
			if x.Postgres != nil {
				r.Data = x.Name
				break
			}
		}
	}
}

// drillRecord is the default canary record: "drill-" plus the first
// non-apex record, or "drill" for a service that only has the apex.
func drillRecord(records []string) string {
	for _, r := range records {
		if r != "@" && r != "" {
			return "drill-" + r
		}
	}
	return "drill"
}

func checkDefaults(ch *Check, p *Policy) {
	setDur(&ch.Interval, p.Interval)
	setDur(&ch.Timeout, p.Timeout)
	if h := ch.HTTP; h != nil {
		if h.Method == "" {
			h.Method = DefaultHTTPMethod
		}
		if h.URL == "" {
			if h.Path == "" {
				h.Path = DefaultHTTPPath
			}
			if h.Scheme == "" {
				h.Scheme = DefaultHTTPScheme
			}
			if h.Port == 0 {
				h.Port = 80
				if strings.EqualFold(h.Scheme, "https") {
					h.Port = 443
				}
			}
		}
		setDur(&h.CertExpiryWarning, DefaultCertExpiryWarning)
	}
	if d := ch.DNS; d != nil && d.Type == "" {
		d.Type = DefaultDNSCheckType
	}
	if a := ch.ProviderAPI; a != nil {
		if a.Method == "" {
			a.Method = DefaultHTTPMethod
		}
		if a.Header == "" {
			a.Header = DefaultAPIHeader
		}
		if a.LostPattern == "" {
			a.LostPattern = DefaultLostPattern
		}
	}
}

func setDur(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

func setInt(n *int, def int) {
	if *n == 0 {
		*n = def
	}
}
