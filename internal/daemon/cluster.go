package daemon

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/cluster"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// nodes is the daemon's part in a cluster of lifeboat nodes sharing an
// etcd journal; nil on a daemon with a local journal.
type nodes struct {
	m    member
	conn journal.Journal // the membership's own connection
	node string
	stop context.CancelFunc
	done chan struct{}

	mu      sync.Mutex
	pubErr  string          // why the last publish failed
	leading bool            // as the loop last saw it
	seen    map[string]bool // every node whose view this node has read
	alone   string          // the last aloneNote, to log a change once
}

// member is the daemon's view of the etcd membership (cluster.Member):
// a small interface so forwarding and leadership are tested without etcd.
type member interface {
	Run(ctx context.Context)
	Changed() <-chan struct{}
	State() cluster.State
	Leading() (context.Context, bool)
	Leader(ctx context.Context) (cluster.Peer, bool, error)
	Publish(ctx context.Context, v cluster.View) error
	Views(ctx context.Context) ([]cluster.View, error)
}

// errNotLeading: an action was asked of a node that does not lead.
var errNotLeading = cluster.ErrNoLeadership

// joinCluster starts the membership when the journal is in etcd: a
// session and campaign of its own, on its own connection, so a reload
// that reopens the engine's journal does not end the leadership.
func (d *Daemon) joinCluster(ctx context.Context, cfg *config.Config) error {
	e := cfg.State.Etcd
	if e == nil {
		return nil
	}
	conn, err := journal.Open(ctx, cfg.State, cfg.Dir, journal.OpenOptions{Logger: d.log})
	if err != nil {
		return err
	}
	ej, ok := conn.(*journal.Etcd)
	if !ok {
		conn.Close()
		return fmt.Errorf("state.etcd: the journal opened is not etcd")
	}
	advertise := advertiseOf(cfg)
	n := &nodes{conn: conn, node: e.Node, done: make(chan struct{}),
		m: cluster.New(ej.Client(), cluster.Options{Node: e.Node, Advertise: advertise, Prefix: e.Prefix, Lease: e.Lease, Logger: d.log,
			// The metrics follow the membership at once, also while the
			// decision loop runs an operation.
			OnChange: func(st cluster.State) { d.metrics.SetCluster(st.Connected, st.Leading) }})}
	mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	n.stop = stop
	go func() {
		defer close(n.done)
		n.m.Run(mctx)
	}()
	d.nodes = n
	return nil
}

// leaveCluster resigns (another node takes over at once) and closes the
// membership's connection.
func (d *Daemon) leaveCluster() {
	if d.nodes == nil {
		return
	}
	d.nodes.stop()
	select {
	case <-d.nodes.done:
	case <-time.After(5 * time.Second):
	}
	d.nodes.conn.Close()
}

// changed is signalled when the membership changes; nil (never) without
// a cluster.
func (d *Daemon) clusterChanged() <-chan struct{} {
	if d.nodes == nil {
		return nil
	}
	return d.nodes.m.Changed()
}

// asLeader returns ctx carrying this node's leadership and ended when the
// leadership ends, so every journal write the operation makes is fenced
// by it; errNotLeading when this node does not lead. Without a cluster
// the daemon always leads.
func (d *Daemon) asLeader(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if d.nodes == nil {
		return ctx, func() {}, nil
	}
	lctx, ok := d.nodes.m.Leading()
	if !ok {
		return nil, nil, errNotLeading
	}
	l, _ := journal.LeadershipFrom(lctx)
	out, cancel := context.WithCancelCause(journal.WithLeadership(ctx, l))
	stop := context.AfterFunc(lctx, func() { cancel(context.Cause(lctx)) })
	return out, func() { stop(); cancel(nil) }, nil
}

// maxViewAge is how old a node's published view may be and still count:
// three intervals, as for a provider's own checks.
func maxViewAge(p config.Policy) time.Duration { return 3*p.Interval + p.Timeout }

// view is what decisions are made on: this node's monitor alone, or with
// a cluster the providers lost only where enough nodes agree.
func (d *Daemon) view() health.Snapshot {
	_, w := d.current()
	own := w.snapshot()
	if d.nodes == nil {
		return own
	}
	merged, _ := d.merged(context.Background(), own)
	return merged
}

func (d *Daemon) merged(ctx context.Context, own health.Snapshot) (health.Snapshot, []cluster.Agreement) {
	eng, _ := d.current()
	ctx, cancel := context.WithTimeout(ctx, eng.Cfg.Policy.Timeout)
	defer cancel()
	views, err := d.nodes.m.Views(ctx)
	return d.mergeViews(own, views, err)
}

// mergeViews merges views read from etcd (readErr when they could not be)
// into own.
func (d *Daemon) mergeViews(own health.Snapshot, views []cluster.View, readErr error) (health.Snapshot, []cluster.Agreement) {
	eng, _ := d.current()
	quorum := eng.Cfg.Policy.NodeQuorum
	if readErr != nil {
		// Without the others' views nothing is declared lost: a node cut
		// off from etcd must never act alone.
		d.log.Warn("cannot read the other nodes' views; no provider is declared lost meanwhile", "err", readErr)
		views, quorum = nil, max(2, quorum)
	}
	now := time.Now()
	merged, agr := cluster.Merge(d.nodes.node, own, views, quorum, now, maxViewAge(eng.Cfg.Policy))
	d.noteAlone(quorum, liveNodes(d.nodes.node, views, now, maxViewAge(eng.Cfg.Policy)))
	return merged, agr
}

// liveNodes are the nodes whose view counts (as Merge counts them), self
// included.
func liveNodes(self string, views []cluster.View, now time.Time, maxAge time.Duration) []string {
	live := []string{self}
	for _, v := range views {
		if v.Node != self && now.Sub(v.At) <= maxAge {
			live = append(live, v.Node)
		}
	}
	return live
}

// noteAlone remembers the nodes seen and, when one node's view is now
// enough to declare a provider lost, logs it once.
func (d *Daemon) noteAlone(quorum int, live []string) {
	d.nodes.mu.Lock()
	if d.nodes.seen == nil {
		d.nodes.seen = map[string]bool{}
	}
	for _, n := range live {
		d.nodes.seen[n] = true
	}
	note := aloneNote(quorum, live, slices.Sorted(maps.Keys(d.nodes.seen)))
	was := d.nodes.alone
	d.nodes.alone = note
	d.nodes.mu.Unlock()
	if note != "" && note != was {
		d.log.Warn("a single node's view is enough to declare a provider lost", "why", note)
	}
}

// aloneNote says when one node's view is enough to declare a provider
// lost, and which of the nodes seen are gone; "" when it takes two or
// more. A single view is kept on purpose under node_quorum 0 (a vendor
// may take the other nodes with it), but never silently.
func aloneNote(quorum int, live, seen []string) string {
	if cluster.Needed(quorum, len(live)) > 1 {
		return ""
	}
	setting := fmt.Sprintf("node_quorum %d", quorum)
	if quorum == 0 {
		setting = fmt.Sprintf("node_quorum 0 (a majority of the %d live node(s))", len(live))
	}
	note := setting + ": this node acts on its own view"
	var gone []string
	for _, n := range seen {
		if !slices.Contains(live, n) {
			gone = append(gone, n)
		}
	}
	if len(gone) > 0 {
		note += fmt.Sprintf("; %d of %d nodes are gone (%s)", len(gone), len(seen), strings.Join(gone, ", "))
	}
	return note
}

// publish puts this node's view into etcd for the leader.
func (d *Daemon) publish(ctx context.Context) {
	if d.nodes == nil {
		return
	}
	eng, w := d.current()
	advertise := advertiseOf(eng.Cfg)
	pctx, cancel := context.WithTimeout(ctx, eng.Cfg.Policy.Timeout)
	defer cancel()
	snap := w.snapshot()
	if why := d.blind(); why != "" {
		snap = blindView(snap, why) // its view counts toward no loss
	}
	err := d.nodes.m.Publish(pctx, cluster.ViewOf(d.nodes.node, advertise, snap, time.Now()))
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	d.nodes.mu.Lock()
	was := d.nodes.pubErr
	d.nodes.pubErr = msg
	d.nodes.mu.Unlock()
	if msg != "" && was == "" {
		d.log.Warn("this node's view is not reaching etcd; it takes no action meanwhile", "err", err)
	}
	if msg == "" && was != "" {
		d.log.Info("this node's view reaches etcd again")
	}
}

// membership handles a change of leadership on the decision loop: a new
// leader resumes what the old one left unfinished and runs the drills; a
// node that stops leading stops its drills (its running operation ends
// with its leadership's context).
func (d *Daemon) membership(ctx context.Context) {
	st := d.nodes.m.State()
	d.nodes.mu.Lock()
	was := d.nodes.leading
	d.nodes.leading = st.Leading
	d.nodes.mu.Unlock()
	d.metrics.SetCluster(st.Connected, st.Leading)
	switch {
	case st.Leading && !was:
		// The hold switch may have been turned through another leader.
		if err := d.loadHold(ctx); err != nil {
			d.log.Error("cannot read the hold switch", "err", err)
		}
		d.forget.Store(true)
		d.log.Info("leading: resuming what the last leader left unfinished")
		d.resumeOnStart(ctx)
		d.startDrills()
	case !st.Leading && was:
		d.stopDrills()
	}
}

// clusterStatus is the status document's view of the nodes.
func (d *Daemon) clusterStatus(ctx context.Context) *wire.ClusterStatus {
	if d.nodes == nil {
		return nil
	}
	st := d.nodes.m.State()
	cs := &wire.ClusterStatus{Node: d.nodes.node, Connected: st.Connected, Leading: st.Leading, Term: st.Term, Error: st.Err}
	d.nodes.mu.Lock()
	if cs.Error == "" {
		cs.Error = d.nodes.pubErr
	}
	d.nodes.mu.Unlock()
	if !st.Connected {
		// etcd does not answer this node: reading the others' views would
		// only wait.
		return cs
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if p, ok, err := d.nodes.m.Leader(rctx); err == nil && ok {
		cs.Leader, cs.LeaderAPI = p.Node, p.Advertise
	}
	views, err := d.nodes.m.Views(rctx)
	if err != nil && cs.Error == "" {
		cs.Error = err.Error()
	}
	for _, v := range views {
		nv := wire.NodeView{Node: v.Node, At: v.At, Providers: map[string]health.State{}}
		for _, p := range v.Providers {
			nv.Providers[p.Name] = p.State
		}
		cs.Nodes = append(cs.Nodes, nv)
	}
	slices.SortFunc(cs.Nodes, func(a, b wire.NodeView) int { return strings.Compare(a.Node, b.Node) })
	_, w := d.current()
	_, agr := d.mergeViews(w.snapshot(), views, err)
	for _, a := range agr {
		cs.Agreement = append(cs.Agreement, wire.ProviderAgreement{Provider: a.Provider, Lost: a.Lost, Need: a.Need, Reached: a.Reached})
	}
	d.nodes.mu.Lock()
	cs.Alone = d.nodes.alone
	d.nodes.mu.Unlock()
	return cs
}

// notLeading is the error for an action a node cannot forward.
func (d *Daemon) notLeading(ctx context.Context, what string) error {
	p, ok, err := d.nodes.m.Leader(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s: cannot tell which node leads: %w", errNotLeading, what, err)
	case !ok:
		return fmt.Errorf("%w: %s: no node leads right now (an election is under way, or etcd cannot be reached); try again in a few seconds", errNotLeading, what)
	}
	return fmt.Errorf("%w: %s must run on the leader, node %s", errNotLeading, what, p.Node)
}

// advertiseOf is the URL this node's API is reached at; empty without one.
func advertiseOf(cfg *config.Config) string {
	if cfg.Server == nil {
		return ""
	}
	return cfg.Server.Advertise
}
