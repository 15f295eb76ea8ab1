// Package engine is the one path every operation takes (Run, Plan, Resume,
// Abort, Status, History, Drill, Sync): it resumes what is unfinished,
// observes, plans, confirms, executes and notifies, over the parts it builds
// from a configuration: the journal, the health probers, Terraform
// workspaces, DNS providers and their writers, and the executor's
// environment. The CLI commands and the daemon share it, so each command
// stays a thin layer of flags and output.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
	"github.com/lifeboat-dev/lifeboat/planner"
	"github.com/lifeboat-dev/lifeboat/providers"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// ErrReleased: the engine let go of its journal (a reload handed it to a
// new engine); a request that still holds the old engine asks again.
var ErrReleased = errors.New("the configuration was reloaded while this request ran: try again")

// Engine holds the parts built from one configuration. It is safe for
// concurrent use.
type Engine struct {
	Cfg *config.Config
	Log *slog.Logger

	probers *health.Probers
	// notifier delivers notifications in the background; Close drains it.
	notifier *notify.Notifier

	mu          sync.Mutex
	journal     journal.Journal
	released    bool // CloseJournal was called: another engine owns the journal now
	workspaces  map[string]*terraform.Workspace
	dns         map[string]providers.DNS
	nameservers map[string][]string           // looked up, for dns blocks that list none
	registrars  map[string]executor.Delegator // by registrar block name, opened once

	// dataMu guards positions: the primaries' WAL positions last seen,
	// by datafresh.PositionKey (nil until read back from the journal).
	dataMu    sync.Mutex
	positions map[string]datafresh.LSN
}

// New returns an engine for cfg. Nothing is opened until it is needed.
func New(cfg *config.Config, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{
		Cfg:         cfg,
		Log:         log,
		probers:     health.NewProbers(health.ProberOptions{MaxConnsPerHost: cfg.Policy.Concurrency, Dir: cfg.Dir, Redact: cfg.Redact}),
		workspaces:  map[string]*terraform.Workspace{},
		dns:         map[string]providers.DNS{},
		nameservers: map[string][]string{},
		notifier:    notify.New(cfg.Notify, notify.Options{Logger: log, Redact: cfg.Redact}),
	}
}

// Close delivers the notifications still queued (within a bound), and
// releases the journal and idle connections.
func (e *Engine) Close() error {
	e.closeNotifier()
	e.probers.Close()
	return e.CloseJournal()
}

// CloseJournal lets go of the journal only: a reloaded configuration's
// engine opens it while this one still delivers its notifications.
func (e *Engine) CloseJournal() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.released = true
	if e.journal == nil {
		return nil
	}
	err := e.journal.Close()
	e.journal = nil
	return err
}

// openJournal opens the configured journal for the caller, who closes it.
func (e *Engine) openJournal() (journal.Journal, error) {
	return journal.Open(context.Background(), e.Cfg.State, e.Cfg.Dir, journal.OpenOptions{Logger: e.Log})
}

// leaderFence is the BeforeWrite of DNS writes that belong to no
// operation (TTL changes, the zone sync): made as the cluster's leader
// (ctx carries the leadership), each is refused once that leadership has
// ended, read from etcd right before the write. A leader paused between
// reading a record set and writing it back (a long GC, a stopped VM) must
// not write the old addresses over a new leader's cutover.
func (e *Engine) leaderFence(ctx context.Context) error {
	if _, led := journal.LeadershipFrom(ctx); !led {
		return nil
	}
	j, err := e.Journal()
	if err != nil {
		return err
	}
	return journal.CheckLeader(ctx, j)
}

// Journal returns the engine's journal, opened on first use and closed by
// Close.
func (e *Engine) Journal() (journal.Journal, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.journal != nil {
		return e.journal, nil
	}
	if e.released {
		return nil, ErrReleased
	}
	j, err := e.openJournal()
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	e.journal = j
	return j, nil
}

// workspace returns the provider's Terraform workspace, opened once.
func (e *Engine) workspace(provider string) (*terraform.Workspace, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ws, ok := e.workspaces[provider]; ok {
		return ws, nil
	}
	p := e.Cfg.Provider(provider)
	if p == nil {
		return nil, fmt.Errorf("provider %q is not in the configuration", provider)
	}
	ws, err := terraform.OpenProvider(e.Cfg, p, terraform.OptionsFromConfig(e.Cfg, e.Log))
	if err != nil {
		return nil, fmt.Errorf("provider %q: %w", provider, err)
	}
	e.workspaces[provider] = ws
	return ws, nil
}

// dnsProvider returns the libdns provider of a dns block, built once.
func (e *Engine) dnsProvider(name string) (providers.DNS, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d, ok := e.dns[name]; ok {
		return d, nil
	}
	block := e.Cfg.DNSProvider(name)
	if block == nil {
		return nil, fmt.Errorf("dns %q is not in the configuration", name)
	}
	d, err := providers.NewNamedDNS(name, block.Type, block.Settings)
	if err != nil {
		return nil, fmt.Errorf("dns %q: %w", name, err)
	}
	e.dns[name] = d
	return d, nil
}

// dnsTargets builds cutover targets for the named dns blocks.
func (e *Engine) dnsTargets(ctx context.Context, names []string) ([]dnscutover.Target, error) {
	out := make([]dnscutover.Target, 0, len(names))
	for _, n := range names {
		d, err := e.dnsProvider(n)
		if err != nil {
			return nil, err
		}
		block := e.Cfg.DNSProvider(n)
		out = append(out, dnscutover.Target{Name: n, Zone: block.Zone, Provider: d, Nameservers: e.nameserversOf(ctx, n),
			Proxied: block.ProxiedRecords()})
	}
	return out, nil
}

// nameserversOf returns the authoritative servers of a dns block: as configured,
// or else the zone's NS records from the system resolver (port 53), looked
// up once. With several DNS vendors serving one zone, configure each one's
// nameservers so that each is verified on its own.
func (e *Engine) nameserversOf(ctx context.Context, name string) []string {
	block := e.Cfg.DNSProvider(name)
	if block == nil {
		return nil
	}
	if len(block.Nameservers) > 0 {
		return block.Nameservers
	}
	e.mu.Lock()
	ns, ok := e.nameservers[name]
	e.mu.Unlock()
	if ok {
		return ns
	}
	// The look-up runs outside the lock: a slow resolver must not hold up
	// every other caller.
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	records, err := net.DefaultResolver.LookupNS(lctx, block.Zone)
	if err != nil {
		e.Log.Warn("cannot find the zone's nameservers; set nameservers in the dns block", "dns", name, "zone", block.Zone, "err", err)
		return nil // not cached: the next caller tries again
	}
	for _, r := range records {
		ns = append(ns, net.JoinHostPort(strings.TrimSuffix(r.Host, "."), "53"))
	}
	e.mu.Lock()
	e.nameservers[name] = ns
	e.mu.Unlock()
	return ns
}

// CheckService runs a service's checks once against addrs.
func (e *Engine) CheckService(ctx context.Context, service string, addrs []string) (bool, string, error) {
	s := e.Cfg.Service(service)
	if s == nil {
		return false, "", fmt.Errorf("service %q is not in the configuration", service)
	}
	if len(s.Checks) == 0 {
		// Without checks there is no evidence of health, and DNS must
		// never point at a target not known to be healthy.
		return false, "", fmt.Errorf("service %q has no checks: lifeboat will not cut DNS over to a target it cannot check", service)
	}
	results, err := health.RunChecks(ctx, s.Checks, addrs, health.RunOptions{
		Probers: e.probers, Timeout: e.Cfg.Policy.Timeout, Concurrency: e.Cfg.Policy.Concurrency, Service: service,
	})
	if err != nil {
		return false, "", err
	}
	if health.AllOK(results) {
		return true, "", nil
	}
	return false, failures(results), nil
}

func failures(results []health.Result) string {
	s := ""
	for _, r := range results {
		if r.OK {
			continue
		}
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("check %q on %s: %s", r.Check, r.Target, r.Reason)
	}
	if s == "" {
		s = "no check ran"
	}
	return s
}

// secretVar reads a variable the plan hides from the configuration: the
// service's value, else the target workspace's, as the planner merged them.
func (e *Engine) secretVar(st planner.Step, name string) (string, error) {
	if s := e.Cfg.Service(st.Service); s != nil {
		if v, ok := s.Vars[name]; ok {
			return v, nil
		}
	}
	if p := e.Cfg.Provider(st.Provider); p != nil && p.Terraform != nil {
		if v, ok := p.Terraform.Vars[name]; ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("not in the configuration of service %s or provider %s any more", st.Service, st.Provider)
}

// executorEnv is the executor's environment for this configuration; replan
// re-runs the planner for one service with some providers excluded.
func (e *Engine) executorEnv(j journal.Journal, replan func(service string, excluded map[string]string) (planner.ServicePlan, error), progress func(executor.Event)) executor.Env {
	return executor.Env{
		Journal: j,
		Workspace: func(st planner.Step) (executor.Workspace, error) {
			return e.workspace(st.Provider)
		},
		CheckHealth: e.CheckService,
		DNSTargets:  e.dnsTargets,
		DNSOptions: dnscutover.Options{
			VerifyTimeout: e.Cfg.Policy.VerifyDNS,
			Logger:        e.Log,
		},
		SecretVar: e.secretVar,
		Adopt: func(service string) bool {
			s := e.Cfg.Service(service)
			return s != nil && s.Adopt
		},
		Replan: replan,
		Registrar: func(zone string) (executor.Delegator, error) {
			return e.registrar(zone)
		},
		Serving:  e.checkServing,
		Glue:     e.glue,
		Logger:   e.Log,
		Redact:   e.Cfg.Redact,
		Notify:   e.Notify,
		Progress: progress,
		Data:     e.dataBlock,
		Dir:      e.Cfg.Dir,
	}
}

// dataBlock is service's data block name, for the fence and promote
// steps; nil when the configuration no longer has it.
func (e *Engine) dataBlock(service, name string) (*config.Data, error) {
	s := e.Cfg.Service(service)
	if s == nil {
		return nil, fmt.Errorf("service %q is not in the configuration", service)
	}
	for _, d := range s.Data {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, nil
}
