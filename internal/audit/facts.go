package audit

import "time"

// Unchecked is a check that could not be made, and why (offline, a look-up failed).
type Unchecked struct {
	Check   string `json:"check"`
	Subject string `json:"subject"` // e.g. "zone example.org.", "dns cloudflare", "provider digitalocean"
	Reason  string `json:"reason"`
}

// Record is one record a DNS provider serves. Name is relative to the
// zone ("@", "www"), as libdns gives it.
type Record struct{ Name, Type, Value string }

// Backend is where a workspace keeps its Terraform state.
type Backend struct {
	Type   string // "local" (also when no backend block), "s3", "gcs", "pg", "http", "remote", ...
	Vendor string // who holds the state; "" when unknown
	Detail string // e.g. "bucket tfstate at s3.eu-central-1.amazonaws.com"; never a secret
}

// DrillFact is one drill report from the journal.
type DrillFact struct {
	Name, Mode string
	At         time.Time // when it finished
	OK         bool
}

// DataFact is one data block of a service as measured at one provider
// (the daemon's or the engine's last data round).
type DataFact struct {
	Data, Provider string
	// Age is how old the data there is; meaningful when Known.
	Age   time.Duration
	Known bool
	// Reason says why the age is not known, or how it was read; free of
	// secrets.
	Reason string
}

// BackupFact is the newest backup of one backup block, as listed.
type BackupFact struct {
	Backup string
	// Newest names the newest backup; empty when none was found.
	Newest string
	At     time.Time // when the newest was written
	// Error says why the backups could not be listed; free of secrets.
	Error string
}

// Drift is how a secondary DNS provider differs from its zone's source of
// truth (the zone's first dns block).
type Drift struct {
	Zone, Source string
	// Differ lists the RRsets that differ, each as "NAME TYPE: how".
	Differ []string
}

// Facts are what the look-ups found; missing map entries mean "not known",
// and the check that needs them makes no finding (the look-up lists it in
// Unchecked). Two maps read differently:
//   - ApplyTimes: a missing provider is "never measured", which the
//     rto-budget check reports as an incomplete budget.
//   - Drills: a nil map means the journal was not read; once it was, a
//     service without an entry has never been drilled.
//   - Data and Backups: a nil map means nothing was measured, and no
//     finding is made of data or backup ages.
type Facts struct {
	Now        time.Time
	Placement  map[string]string        // service -> provider it runs on now; missing: first candidate
	Delegation map[string][]string      // zone ("example.org.") -> NS host names it is delegated to
	Published  map[string][]Record      // dns block name -> records it serves
	Addresses  map[string][]string      // provider -> host addresses (configuration or workspace outputs)
	Backends   map[string]Backend       // provider -> its workspace's state backend
	ApplyTimes map[string]time.Duration // provider -> last measured apply of its workspace
	Drills     map[string][]DrillFact   // service -> drills, newest first
	// Drift maps a dns block (not its zone's source of truth) to how it
	// differs from the source; missing: not compared.
	Drift map[string]Drift
	// Data maps a service to its data blocks' measurements at each
	// provider; Backups to its backup blocks' newest backups.
	Data      map[string][]DataFact
	Backups   map[string][]BackupFact
	Unchecked []Unchecked
}
