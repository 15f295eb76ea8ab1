package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// MaxClockSkew is how far this machine's clock may be from etcd's: the
// leases that hold leadership are counted in seconds.
const MaxClockSkew = time.Second

// DoctorOptions say what doctor may do beyond reading.
type DoctorOptions struct {
	// SendTest sends a test event to every notify block.
	SendTest bool
}

// doctorRows collects rows from the checks running at once.
type doctorRows struct {
	mu   sync.Mutex
	rows []wire.DoctorRow
	// redact takes secret values out of every detail and fix.
	redact func(string) string
}

func (d *doctorRows) add(part, check string, err error, detail, fix string) {
	row := wire.DoctorRow{Part: part, Check: check, Result: wire.DoctorOK, Detail: detail}
	if err != nil {
		row.Result, row.Detail, row.Fix = wire.DoctorFail, err.Error(), fix
	}
	d.put(row)
}

func (d *doctorRows) note(part, check, detail string) {
	d.put(wire.DoctorRow{Part: part, Check: check, Result: wire.DoctorNote, Detail: detail})
}

func (d *doctorRows) put(row wire.DoctorRow) {
	row.Check, row.Detail, row.Fix = d.redact(row.Check), d.redact(row.Detail), d.redact(row.Fix)
	d.mu.Lock()
	d.rows = append(d.rows, row)
	d.mu.Unlock()
}

// Doctor checks, reading only, everything an emergency would need: each
// dns block's credentials and nameservers, each registrar's, each
// workspace's init and plan, each check once, etcd and its clock, the data
// tier, and (with opts.SendTest) the notify blocks. The parts are checked
// at once; the rows come sorted by part and check.
func (e *Engine) Doctor(ctx context.Context, opts DoctorOptions) *wire.DoctorReport {
	rows := &doctorRows{redact: e.Cfg.Redact, rows: []wire.DoctorRow{}}
	var wg sync.WaitGroup
	spawn := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	for _, d := range e.Cfg.DNS {
		spawn(func() { e.doctorDNS(ctx, d, rows) })
	}
	for _, g := range e.Cfg.Registrars {
		spawn(func() { e.doctorRegistrar(ctx, g, rows) })
	}
	for _, p := range e.Cfg.Providers {
		if p.Terraform != nil {
			spawn(func() { e.doctorWorkspace(ctx, p, rows) })
		}
	}
	spawn(func() {
		// The journal comes first: the checks run where it places each
		// service, and with etcd, opening it is the reachability check.
		j := e.doctorJournal(ctx, rows)
		e.doctorChecks(ctx, j, rows)
	})
	if HasData(e.Cfg, "") {
		spawn(func() { e.doctorData(ctx, rows) })
	}
	for _, n := range e.Cfg.Notify {
		if !opts.SendTest {
			rows.note("notify "+n.Name, "test event", "not sent (use --send-test)")
			continue
		}
		spawn(func() { e.doctorNotify(ctx, n, rows) })
	}
	wg.Wait()

	rep := &wire.DoctorReport{Config: e.Cfg.Filename, At: time.Now().UTC(), Rows: rows.rows}
	slices.SortStableFunc(rep.Rows, func(a, b wire.DoctorRow) int {
		return cmp.Or(cmp.Compare(a.Part, b.Part), cmp.Compare(a.Check, b.Check))
	})
	for _, r := range rep.Rows {
		if r.Result == wire.DoctorFail {
			rep.Failures++
		}
	}
	rep.OK = rep.Failures == 0
	return rep
}

// doctorDNS reads the zone through the block's API (its credentials) and
// asks its nameservers for the SOA (they serve it). Whether the
// credentials may write is not tested: only a write would tell.
func (e *Engine) doctorDNS(ctx context.Context, d *config.DNSProvider, rows *doctorRows) {
	part := "dns " + d.Name
	n, err := e.readZone(ctx, d.Name)
	fix := fmt.Sprintf("check the credentials in the settings of dns %q and that its API answers", d.Name)
	if d.Type == "rfc2136" {
		fix = fmt.Sprintf("check settings.key (TSIG), key_name and key_alg in dns %q, and that settings.server answers and allows the key a zone transfer", d.Name)
	}
	if err != nil {
		err = fmt.Errorf("cannot read zone %s: %w", d.Zone, err)
	}
	rows.add(part, "read zone", err, fmt.Sprintf("credentials read zone %s (%d records)", d.Zone, n), fix)

	o := askSOA(ctx, d.Zone, e.nameserversOf(ctx, d.Name), e.Cfg.Policy.Timeout)
	err = nil
	if o.State != planner.StateHealthy {
		err = fmt.Errorf("%s: %s", o.State, o.Reason)
	}
	rows.add(part, "nameservers", err, o.Reason,
		fmt.Sprintf("start or reach the zone's nameservers; set nameservers in dns %q if they are not the zone's NS records", d.Name))

	if d.Type == "rfc2136" {
		rows.note(part, "write", "write not checked (RFC 2136 has no read-only test)")
	} else {
		rows.note(part, "write", fmt.Sprintf("write not checked (the %s API cannot tell without a change)", d.Type))
	}
}

// doctorRegistrar reads the zone's delegation with the registrar's
// credentials.
func (e *Engine) doctorRegistrar(ctx context.Context, g *config.Registrar, rows *doctorRows) {
	part := "registrar " + g.Name
	fix := fmt.Sprintf("check the credentials in the settings of registrar %q and that its API answers", g.Name)
	r, err := e.registrar(g.Zone)
	if err != nil {
		rows.add(part, "read delegation", err, "", fix)
		return
	}
	rctx, cancel := context.WithTimeout(ctx, max(minAPITimeout, e.Cfg.Policy.Timeout))
	defer cancel()
	ns, err := r.Nameservers(rctx, g.Zone)
	if err != nil {
		err = fmt.Errorf("cannot read the delegation of %s: %w", g.Zone, err)
	}
	rows.add(part, "read delegation", err, fmt.Sprintf("%s delegated to %s", g.Zone, strings.Join(ns, ", ")), fix)
}

// doctorWorkspace initialises the provider's workspace and plans it with
// each of its services' failover variables, as a readiness drill does;
// no plan file is written. Each call is bounded by terraform.timeout.
func (e *Engine) doctorWorkspace(ctx context.Context, p *config.Provider, rows *doctorRows) {
	part := "provider " + p.Name + " workspace"
	ws, err := e.workspace(p.Name)
	if err == nil {
		err = ws.Prepare(ctx)
	}
	rows.add(part, "init", err, "initialised, workspace selected",
		fmt.Sprintf("fix the Terraform configuration in %s (see the init error), then run `lifeboat prepare`", p.Terraform.Dir))
	for _, s := range e.Cfg.Services {
		if !slices.Contains(s.Candidates, p.Name) {
			continue
		}
		check := "plan " + s.Name
		if err != nil {
			rows.note(part, check, "not planned: init failed")
			continue
		}
		changes, perr := ws.Plan(ctx, failoverVars(p, s), "")
		detail := "plans cleanly; no changes"
		if changes {
			detail = "plans cleanly; a failover would change it"
		}
		rows.add(part, check, perr, detail,
			fmt.Sprintf("see the plan error: a failover of %s to %s would fail the same way", s.Name, p.Name))
	}
}

// doctorJournal opens the journal; with state.etcd, that reads from the
// cluster, and each member's clock is compared with this machine's. A
// local journal held by another process (the daemon) is no failure:
// the checks then run at each service's first candidate.
func (e *Engine) doctorJournal(ctx context.Context, rows *doctorRows) journal.Journal {
	et := e.Cfg.State.Etcd
	j, err := e.Journal()
	if et == nil {
		if err != nil {
			rows.note("state", "journal", "not read ("+err.Error()+"): checks run at each service's first candidate")
		}
		return nilIfErr(j, err)
	}
	rows.add("state etcd", "reachable", err, "read the journal at "+strings.Join(et.Endpoints, ", "),
		"start etcd or reach it; check state.etcd's endpoints, username, password and TLS files")
	timeout := max(e.Cfg.Policy.Timeout, time.Second)
	clocks, cerr := journal.EtcdClocks(ctx, et, timeout)
	for _, c := range clocks {
		var skewErr error
		if c.Skew > MaxClockSkew || c.Skew < -MaxClockSkew {
			skewErr = fmt.Errorf("this machine's clock is %s off from etcd member %s's", c.Skew.Abs().Round(time.Millisecond), c.Endpoint)
		}
		rows.add("state etcd", "clock "+c.Endpoint, skewErr,
			fmt.Sprintf("within %s of the member's (its HTTP Date header, round trip %s)", MaxClockSkew, c.RTT.Round(time.Millisecond)),
			"synchronise this machine's clock (and the members') with NTP")
	}
	if cerr != nil {
		rows.add("state etcd", "clock", cerr, "", "make each member's client URL answer HTTP /version, or check its clock by hand")
	}
	return nilIfErr(j, err)
}

func nilIfErr(j journal.Journal, err error) journal.Journal {
	if err != nil {
		return nil
	}
	return j
}

// doctorChecks runs every check once where each service runs, as status
// does; each check's time is bounded by policy.timeout.
func (e *Engine) doctorChecks(ctx context.Context, j journal.Journal, rows *doctorRows) {
	pl, err := e.placement(ctx, j, true)
	if err != nil {
		rows.add("checks", "placement", err, "", "see the error: the journal cannot say where the services run")
		return
	}
	groups, err := health.BuildGroups(e.Cfg, e.probers, e.targets(pl))
	if err != nil {
		rows.add("checks", "build", err, "", "fix the checks in the configuration")
		return
	}
	mon := health.NewMonitor(health.ProviderNames(e.Cfg), health.PolicyOf(e.Cfg.Policy))
	if err := health.RunRounds(ctx, groups, mon, 1, 0, e.Cfg.Policy.Concurrency); err != nil {
		rows.add("checks", "run", err, "", "run again")
		return
	}
	for _, p := range mon.Snapshot().Providers {
		for _, r := range p.Results {
			owner := r.Service
			if owner == "" {
				owner = p.Name
			}
			var err error
			switch {
			case r.AccountLost:
				err = fmt.Errorf("account lost: %s", r.Reason)
			case r.Unknown:
				err = fmt.Errorf("unknown: %s", r.Reason)
			case !r.OK:
				err = fmt.Errorf("%s", r.Reason)
			}
			detail := fmt.Sprintf("passed at %s in %s", p.Name, r.Latency.Round(time.Millisecond))
			rows.add("check "+owner+"/"+r.Check, r.Target, err, detail,
				fmt.Sprintf("the check fails where it runs now (%s): see the reason; `lifeboat status` shows every check", p.Name))
		}
	}
}

// doctorData measures each data block once and lists each backup.
func (e *Engine) doctorData(ctx context.Context, rows *doctorRows) {
	v := e.MeasureData(ctx, "", 0)
	for _, r := range e.DataRows(v) {
		var err error
		if r.State != wire.DataFresh {
			err = fmt.Errorf("%s: %s", r.State, r.Reason)
		}
		detail := r.Reason
		if r.AgeKnown {
			detail = fmt.Sprintf("fresh: %s old (rpo %s)", time.Duration(r.AgeSeconds*float64(time.Second)).Round(time.Millisecond), time.Duration(r.RPOSeconds*float64(time.Second)))
		}
		rows.add("data "+r.Service+"/"+r.Data, r.Provider, err, detail,
			fmt.Sprintf("see the reason: check the data block's connection settings and the replication to %s", r.Provider))
	}
	for _, b := range e.BackupRows(v) {
		var err error
		switch {
		case b.Error != "":
			err = fmt.Errorf("%s", b.Error)
		case b.Over:
			err = fmt.Errorf("the newest backup %s is %s old, over max_age %s", b.Newest,
				time.Duration(b.AgeSeconds*float64(time.Second)).Round(time.Second), time.Duration(b.MaxAgeSeconds*float64(time.Second)))
		}
		rows.add("backup "+b.Service+"/"+b.Backup, "newest", err, "newest is "+b.Newest,
			"check the backup block's location and credentials, and that backups run")
	}
}

// doctorNotify sends a test event to the block and waits for its answer.
func (e *Engine) doctorNotify(ctx context.Context, n *config.Notify, rows *doctorRows) {
	ev := notify.Event{Event: notify.EventTest, Category: "test", OK: true,
		Summary: "lifeboat doctor: a test notification; nothing happened"}
	err := notify.SendTest(ctx, n, ev, nil)
	rows.add("notify "+n.Name, "test event", err, "sent; the receiver accepted it",
		fmt.Sprintf("check the URL (and secret) of notify %q and that the receiver answers", n.Name))
}
