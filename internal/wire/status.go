package wire

import (
	"fmt"
	"strings"
	"time"
)

// StatusDoc is the stable JSON document of `lifeboat status -o json`; the
// daemon's API serves the same one.
type StatusDoc struct {
	Config    string           `json:"config"`
	At        time.Time        `json:"at"`
	Rounds    int              `json:"rounds"`
	Providers []StatusProvider `json:"providers"`
	DNS       []StatusDNS      `json:"dns"`
	Services  []StatusService  `json:"services"`
	// Data is every service's data blocks measured at each provider (a
	// daemon answers from its last data round); Backups their newest
	// backups. Empty when no service has a data or backup block.
	Data    []DataStatus   `json:"data,omitempty"`
	Backups []BackupStatus `json:"backups,omitempty"`
	// DNSCheckedAt is when the DNS providers' states were read: a daemon
	// answers from what it last read, not by reading every zone again.
	DNSCheckedAt time.Time `json:"dns_checked_at,omitzero"`
	// Warnings say what the document could not see (a journal in use).
	Warnings []string `json:"warnings,omitempty"`
	// Daemon is set when a running daemon answered: its monitor's live
	// view, not a fresh round.
	Daemon *DaemonStatus `json:"daemon,omitempty"`
}

// DaemonStatus is what a running daemon adds to the status document.
type DaemonStatus struct {
	// Node is the host the daemon runs on.
	Node         string    `json:"node"`
	PID          int       `json:"pid"`
	Since        time.Time `json:"since"`
	AutoFailover bool      `json:"auto_failover"`
	Hold         bool      `json:"hold"`
	HoldReason   string    `json:"hold_reason,omitempty"`
	HoldSince    time.Time `json:"hold_since,omitzero"`
	// Running names the operation in progress, if any.
	Running string `json:"running,omitempty"`
	// HeldBack is the daemon's last held-back decision while a loss lasts
	// (why it does not act, and what to type), and when it was made;
	// empty when nothing is held back.
	HeldBack   string          `json:"held_back,omitempty"`
	HeldBackAt time.Time       `json:"held_back_at,omitzero"`
	Drills     []DrillSchedule `json:"drills,omitempty"`
	// Cluster is set when the nodes share an etcd journal.
	Cluster *ClusterStatus `json:"cluster,omitempty"`
	// TTL lists the hosting providers at risk and their records' TTL.
	TTL []TTLStatus `json:"ttl,omitempty"`
}

// TTLStatus is one hosting provider at risk, or whose records still have
// the emergency TTL.
type TTLStatus struct {
	Provider    string    `json:"provider"`
	AtRiskSince time.Time `json:"at_risk_since"`
	Reason      string    `json:"reason"`
	// Lowered is set once the records pointing at it have the emergency
	// TTL; Records lists them, one line each.
	Lowered  bool     `json:"lowered"`
	Services []string `json:"services,omitempty"`
	Records  []string `json:"records,omitempty"`
	// Missed are the DNS providers that were down when the TTL was last
	// changed: they are done when they are back.
	Missed []string `json:"missed,omitempty"`
	// HealthySince is when it turned healthy again; RestoreAt when the
	// normal TTL comes back if it stays so.
	HealthySince time.Time `json:"healthy_since,omitzero"`
	RestoreAt    time.Time `json:"restore_at,omitzero"`
}

// ClusterStatus is the lifeboat nodes as one of them sees them.
type ClusterStatus struct {
	// Node is this node's name (state.etcd.node).
	Node string `json:"node"`
	// Connected: this node holds an etcd session. Without one it checks
	// and reports but takes no action.
	Connected bool   `json:"connected"`
	Error     string `json:"error,omitempty"`
	// Leader is the node that leads (empty when none does), LeaderAPI
	// where operations are forwarded, Leading whether it is this node.
	Leader    string `json:"leader,omitempty"`
	LeaderAPI string `json:"leader_api,omitempty"`
	Leading   bool   `json:"leading"`
	Term      int64  `json:"term,omitempty"`
	// Nodes are the live nodes' published views of the providers.
	Nodes []NodeView `json:"nodes"`
	// Agreement says, per provider, which nodes see it lost and how many
	// must agree before the leader declares it lost.
	Agreement []ProviderAgreement `json:"agreement,omitempty"`
	// Alone is set while one node's view is enough to declare a provider
	// lost (node_quorum 1, or the default once one node is live): it says
	// so, and which nodes seen earlier are gone.
	Alone string `json:"alone,omitempty"`
}

// NodeView is one node's published view.
type NodeView struct {
	Node      string           `json:"node"`
	At        time.Time        `json:"at"`
	Providers map[string]State `json:"providers"`
}

// ProviderAgreement is how many nodes see a provider lost.
type ProviderAgreement struct {
	Provider string   `json:"provider"`
	Lost     []string `json:"lost,omitempty"`
	Need     int      `json:"need"`
	Reached  bool     `json:"reached"`
}

// String says how far the provider's loss is from the quorum, as status
// and the page show it.
func (a ProviderAgreement) String() string {
	verdict := "not declared lost"
	if a.Reached {
		verdict = "declared lost"
	}
	return fmt.Sprintf("%s: lost at %d node(s) (%s), %d needed: %s", a.Provider, len(a.Lost), strings.Join(a.Lost, ", "), a.Need, verdict)
}

// DrillSchedule is one scheduled drill and its next run.
type DrillSchedule struct {
	Name     string    `json:"name"`
	Mode     string    `json:"mode"`
	Service  string    `json:"service"`
	Schedule string    `json:"schedule"`
	Next     time.Time `json:"next,omitzero"`
}

// StatusDNS is one DNS provider: do its nameservers answer for the zone.
type StatusDNS struct {
	Name   string `json:"name"`
	Zone   string `json:"zone"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// StatusProvider is one hosting provider with the results of its checks.
type StatusProvider struct {
	Name   string        `json:"name"`
	State  State         `json:"state"`
	Since  *time.Time    `json:"since,omitempty"`
	Reason string        `json:"reason"`
	Checks []StatusCheck `json:"checks"`
}

// StatusCheck is one probe's latest result.
type StatusCheck struct {
	Service string `json:"service,omitempty"`
	Check   string `json:"check"`
	Kind    string `json:"kind"`
	Target  string `json:"target"`
	OK      bool   `json:"ok"`
	// Unknown: the probe failed for a reason on this node ("local
	// fault: ..."), so it says nothing about the provider.
	Unknown     bool      `json:"unknown,omitempty"`
	AccountLost bool      `json:"account_lost"`
	LatencyMS   float64   `json:"latency_ms"`
	Reason      string    `json:"reason"`
	Warning     string    `json:"warning,omitempty"`
	At          time.Time `json:"at"`
}

// StatusService is where one service runs.
type StatusService struct {
	Name      string   `json:"name"`
	Placement string   `json:"placement"`
	Addresses []string `json:"addresses,omitempty"`
	// Source says where the placement comes from: "journal", or
	// "first_candidate" for a service no operation has moved.
	Source        string `json:"source"`
	ProviderState State  `json:"provider_state"`
}

// State is a provider's health as the health checks' state machine sees
// it: unknown, healthy, degraded, down or account_lost.
type State string
