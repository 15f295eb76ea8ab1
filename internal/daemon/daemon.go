// Package daemon is `lifeboat run`: one long-lived health monitor, a
// decision loop that fails over by itself within the policy's safeguards,
// scheduled drills, and the control socket through which the CLI reaches
// it. Every operation goes through the engine, as the CLI's do.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/httpapi"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/metrics"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Options configure a daemon; zero values are sensible.
type Options struct {
	Logger *slog.Logger
	// Load reads the configuration again for Reload.
	Load func() (*config.Config, error)
	// ShutdownGrace bounds the wait for running work once the context
	// ends; default 30s.
	ShutdownGrace time.Duration
	// Ready is called once the daemon watches and listens.
	Ready func(socket string)
	// Scheduler tunes the health scheduler (tests and benchmarks).
	Scheduler health.SchedulerOptions
}

// Daemon is one running `lifeboat run`.
type Daemon struct {
	opts    Options
	log     *slog.Logger
	started time.Time
	socket  string

	mu  sync.Mutex
	eng *engine.Engine
	// op, when set, is what the decision loop uses instead of eng (unit
	// tests give a fake engine).
	op   operator
	w    *watch
	hold control.HoldState
	cron *cron.Cron
	// drillIDs are the scheduled drills' cron entries, by drill name.
	drillIDs map[string]cron.EntryID
	ctx      context.Context // the daemon's, for cron jobs
	// serveCtx outlives ctx until running work has stopped; parts run
	// under it (the decision loop's goroutine swaps them on reload).
	serveCtx context.Context
	parts    *parts
	// httpH is the HTTP server's handler (nil without a server block).
	httpH *swapHandler
	// retired closes the engines a reload replaced; Run waits for it.
	retired sync.WaitGroup

	slot    slot
	kick    chan struct{}
	decided map[string]string    // affected services -> the last held-back decision's key
	retry   map[string]time.Time // affected services -> no automatic attempt before
	// resume is when the leader next tries to finish an unfinished
	// operation (under mu).
	resume  resumer
	reloads chan chan error
	// forget asks the loop to journal its next held-back decision again
	// (the hold switch changed).
	forget atomic.Bool
	// ready is set once unfinished operations were resumed on start.
	ready   atomic.Bool
	metrics *metrics.Metrics
	// nodes is this daemon's membership when the journal is in etcd.
	nodes *nodes
	// ttl is the pre-emptive TTL state per hosting provider (under mu);
	// nil until read back from the journal.
	ttl map[string]ttlState
	// delegations is watchDNS's memory of the zones it may re-delegate.
	delegations delegations
	// dns is the DNS providers' states as last read, served by Status.
	dns dnsCache
	// data is the last round of data and backup measurements.
	data dataCache
	// driftSeen is, per DNS provider, the records the last sync left
	// alone, so unchanged drift is journaled once.
	driftSeen map[string]string
	// wasBlind: the decision loop last found this node unable to see the
	// world (see sight.go).
	wasBlind bool
	// heldBack and heldBackAt are the last held-back decision while the
	// loss lasts (under mu), for Status.
	heldBack   string
	heldBackAt time.Time
}

// DefaultShutdownGrace is Options.ShutdownGrace left zero, and the
// default of `lifeboat run --shutdown-grace`.
const DefaultShutdownGrace = 30 * time.Second

// New returns a daemon for cfg.
func New(cfg *config.Config, opts Options) *Daemon {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = DefaultShutdownGrace
	}
	d := &Daemon{
		opts:    opts,
		log:     opts.Logger,
		eng:     engine.New(cfg, opts.Logger),
		kick:    make(chan struct{}, 1),
		decided: map[string]string{},
		retry:   map[string]time.Time{},
		reloads: make(chan chan error),
	}
	d.metrics = metrics.New(metricsSource{d})
	return d
}

// Socket is the control socket's path.
func (d *Daemon) Socket() string { return d.socket }

// current returns the engine and watch in use; a reload swaps them
// between operations.
func (d *Daemon) current() (*engine.Engine, *watch) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.eng, d.w
}

// Run watches, decides and serves until ctx ends. Then no new operation
// starts, the running one is cancelled (journaled as interrupted, resumed
// by the next start), and Run returns within ShutdownGrace.
func (d *Daemon) Run(ctx context.Context) error {
	d.started = time.Now()
	d.ctx = ctx
	eng := d.eng
	defer func() { _ = d.closeEngine() }()
	defer d.retired.Wait()
	// The journal opens first: a second daemon on it stops here.
	if _, err := eng.Journal(); err != nil {
		if errors.Is(err, journal.ErrLocked) {
			return fmt.Errorf("%w: is another `lifeboat run` (or a failover) running?", err)
		}
		return err
	}
	d.socket = control.SocketPath(eng.Cfg.Path(eng.Cfg.State.Path))
	// With an etcd journal nothing else creates state.path's directory.
	if err := os.MkdirAll(filepath.Dir(d.socket), 0o700); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	l, err := control.Listen(d.socket)
	if err != nil {
		return err
	}
	if err := d.loadHold(ctx); err != nil {
		l.Close()
		return err
	}
	if err := d.joinCluster(ctx, eng.Cfg); err != nil {
		l.Close()
		return err
	}
	defer d.leaveCluster()

	groups, err := d.groups(ctx, eng)
	if err != nil {
		l.Close()
		return err
	}
	d.w = newWatch(eng.Cfg, groups, d.kick, d.schedOpts())
	d.w.start(ctx)

	var httpL net.Listener
	if s := eng.Cfg.Server; s != nil {
		if httpL, err = httpapi.Listen(s, d.log); err != nil {
			l.Close()
			d.w.stop()
			return err
		}
	}
	serveCtx, stopServe := context.WithCancel(context.WithoutCancel(ctx))
	d.serveCtx = serveCtx
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = control.Serve(serveCtx, l, d, d.log)
	}()
	httpDone := make(chan struct{})
	if httpL != nil {
		d.httpH = &swapHandler{}
		d.httpH.set(d.httpHandler(ctx))
		go func() {
			defer close(httpDone)
			if err := httpapi.Serve(serveCtx, httpL, d.httpH, eng.Cfg.Server.IdleTimeout, 5*time.Second, d.log); err != nil {
				d.log.Error("the HTTP server stopped", "err", err)
			}
		}()
		d.log.Info("serving HTTP", "listen", httpL.Addr().String(), "tls", eng.Cfg.Server.TLSCert != "")
	} else {
		close(httpDone)
	}

	d.seedMetrics(ctx)
	d.parts = d.startParts(serveCtx, eng.Cfg)
	if d.nodes == nil {
		// With several nodes the leader resumes, once elected.
		d.resumeOnStart(ctx)
	}
	d.ready.Store(true)
	d.startDrills()
	d.log.Info("lifeboat is watching", "providers", len(eng.Cfg.Providers), "services", len(eng.Cfg.Services),
		"interval", eng.Cfg.Policy.Interval, "auto_failover", eng.Cfg.Policy.AutoFailover, "hold", d.holdState().On, "socket", d.socket)
	if d.opts.Ready != nil {
		d.opts.Ready(d.socket)
	}

	d.loop(ctx)

	// Shutting down: nothing new starts; what runs is cancelled and
	// journaled as interrupted.
	d.log.Info("shutting down", "cause", context.Cause(ctx))
	done := d.slot.close(fmt.Errorf("the daemon is shutting down: %w", context.Cause(ctx)))
	d.stopDrills()
	grace, cancelGrace := context.WithTimeout(context.Background(), d.opts.ShutdownGrace)
	defer cancelGrace()
	select {
	case <-done:
	case <-grace.Done():
		d.log.Warn("an operation did not stop within the shutdown grace; it is journaled as running and will be resumed at the next start", "grace", d.opts.ShutdownGrace)
	}
	stopServe()
	d.parts.stop()
	for _, ch := range []chan struct{}{served, httpDone} {
		select {
		case <-ch:
		case <-grace.Done():
		}
	}
	_, w := d.current()
	w.stop()
	return nil
}

func (d *Daemon) closeEngine() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.eng.Close()
}

func (d *Daemon) schedOpts() health.SchedulerOptions {
	o := d.opts.Scheduler
	o.Logger = d.log
	o.OnRound = d.metrics.ObserveRound
	return o
}

// groups builds the checks for the services' current placement.
func (d *Daemon) groups(ctx context.Context, eng operator) ([]*health.Group, error) {
	return eng.GroupsNow(ctx)
}

// follow points the monitor's checks at where the services run now: after
// a failover a service's checks probe its new addresses.
func (d *Daemon) follow(ctx context.Context) {
	_, w := d.current()
	groups, err := d.groups(context.WithoutCancel(ctx), d.operator())
	if err != nil {
		d.log.Error("cannot rebuild the checks after an operation; they still probe the old addresses", "err", err)
		return
	}
	w.setGroups(groups)
}

// loop is the one place decisions are made: transitions arrive over a
// channel, and the state is looked at again every interval so a loss that
// was held back is acted on once the safeguard lets go.
func (d *Daemon) loop(ctx context.Context) {
	eng, _ := d.current()
	tick := time.NewTicker(eng.Cfg.Policy.Interval)
	defer tick.Stop()
	// retry wakes the loop when an unfinished operation's backoff ends.
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	// A node that has joined has a say from the start: its view (nothing
	// checked yet) counts among the live nodes before its first round, so
	// a leader does not take itself for the only node in that interval.
	d.publish(ctx)
	for {
		if wait, due := d.resumeDue(); due {
			retry.Reset(wait)
		} else {
			retry.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-retry.C:
		case reply := <-d.reloads:
			reply <- d.reload(ctx)
			eng, _ = d.current()
			tick.Reset(eng.Cfg.Policy.Interval)
			continue
		case <-d.clusterChanged():
			d.membership(ctx)
			continue
		case <-d.kick:
		case <-tick.C:
		}
		d.decide(ctx)
	}
}

// decide is one turn of the decision loop: this node's view is published,
// and the leader alone finishes what is unfinished and decides.
func (d *Daemon) decide(ctx context.Context) {
	d.publish(ctx)
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		// Another node decides; this one only checks and reports.
		_, w := d.current()
		w.take()
		d.forgetTTL()
		return
	}
	defer unlead()
	blind := d.noteSight(lctx)
	// Finishing an operation under way is not a new decision: its steps
	// check the target themselves, so a blind node may still resume.
	d.resumePending(lctx, false)
	d.evaluate(lctx)
	if blind == "" {
		d.preemptTTL(lctx)
	}
}

// resumeOnStart finishes what an earlier run (or leader) left
// unfinished; one that cannot be finished yet is tried again with backoff
// from the decision loop.
func (d *Daemon) resumeOnStart(ctx context.Context) {
	ctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return
	}
	defer unlead()
	d.resumePending(ctx, true)
}

func (d *Daemon) logProgress(ev wire.Event) {
	attrs := []any{"phase", ev.Phase}
	if ev.Step != "" {
		attrs = append(attrs, "step", ev.Step)
	}
	if ev.Elapsed > 0 {
		attrs = append(attrs, "elapsed", ev.Elapsed.Round(time.Millisecond))
	}
	d.log.Info(ev.Message, attrs...)
}

// Reload reads the configuration again and swaps it in between
// operations; an invalid one is refused and the running one kept.
func (d *Daemon) Reload(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case d.reloads <- reply:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Status is the daemon's live view: its monitor, the placement, the hold
// switch, what runs now and the drill schedule.
func (d *Daemon) Status(ctx context.Context) (*wire.StatusDoc, error) {
	eng, w := d.current()
	doc, err := eng.LiveStatus(ctx, w.snapshot(), d.dnsStates(ctx), d.data.get())
	if err != nil {
		return nil, err
	}
	h := d.holdState()
	node, _ := os.Hostname()
	if d.nodes != nil {
		node = d.nodes.node
	}
	doc.Daemon = &wire.DaemonStatus{Node: node, PID: os.Getpid(), Since: d.started.UTC(), AutoFailover: eng.Cfg.Policy.AutoFailover,
		Hold: h.On, HoldReason: h.Reason, HoldSince: h.Since, Running: d.slot.current(), Drills: d.drillSchedules(),
		Cluster: d.clusterStatus(ctx), TTL: d.ttlStatus(eng.Cfg.Policy.RecoveryWindow)}
	doc.Daemon.HeldBack, doc.Daemon.HeldBackAt = d.heldBackNow()
	if why := d.blind(); why != "" {
		doc.Warnings = append(doc.Warnings, blindPrefix+": "+why)
	}
	if c := doc.Daemon.Cluster; c != nil && !c.Connected {
		doc.Warnings = append(doc.Warnings, "this node is cut off from etcd: it keeps checking and reporting but takes no action until it is back")
	}
	return doc, nil
}
