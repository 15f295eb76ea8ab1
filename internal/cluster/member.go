// Package cluster is how several lifeboat nodes share one etcd: each node
// keeps a session (a lease), campaigns for leadership, and publishes its
// own view of the providers; the leader alone acts, under a fencing token
// every journal write carries.
package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/lifeboat-dev/lifeboat/internal/backoff"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// ErrNoLeadership: this node does not lead (another node does, or etcd
// cannot be reached), so it takes no action.
var ErrNoLeadership = errors.New("this node does not lead the lifeboat nodes")

// ErrDuplicateNode: two live lifeboats use one node name.
var ErrDuplicateNode = errors.New("duplicate node name")

// Options configure a Member.
type Options struct {
	// Node is this node's name, unique among the nodes.
	Node string
	// Advertise is the URL other nodes reach this node's API at; empty
	// when it serves none.
	Advertise string
	// Prefix is the journal's etcd prefix; the cluster's keys are under
	// Prefix + "cluster/".
	Prefix string
	// Lease is how long a node that stops answering keeps its leadership
	// and its published view; rounded up to whole seconds, at least 2s.
	Lease  time.Duration
	Logger *slog.Logger
	// OnChange, when set, is called with the new state whenever Connected
	// or Leading changes, from the goroutine that changed it (so metrics
	// follow at once, even while the caller's own loop is busy).
	OnChange func(State)
}

// Peer is a node as the cluster knows it.
type Peer struct {
	Node      string `json:"node"`
	Advertise string `json:"advertise,omitempty"`
}

// State is a member's standing.
type State struct {
	// Connected: this node holds a live session with etcd.
	Connected bool `json:"connected"`
	// Leading: this node leads; Term is its election revision.
	Leading bool  `json:"leading"`
	Term    int64 `json:"term,omitempty"`
	// Since is when Connected or Leading last changed.
	Since time.Time `json:"since"`
	// Err is why the node is not connected, when it is not.
	Err string `json:"error,omitempty"`
}

// Member is one node's membership: a session, a campaign, a view.
type Member struct {
	cli  *clientv3.Client
	opts Options
	log  *slog.Logger
	// changed is signalled whenever the state changes.
	changed chan struct{}

	mu      sync.Mutex
	state   State
	session *concurrency.Session
	lead    context.Context // carries the leadership; nil unless leading
	key     string          // the election key while leading
}

func (m *Member) electionKey() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.key
}

// New returns a member on cli; Run makes it take part.
func New(cli *clientv3.Client, opts Options) *Member {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Member{cli: cli, opts: opts, log: opts.Logger, changed: make(chan struct{}, 1), state: State{Since: time.Now()}}
}

func (o Options) ttl() int {
	s := int(math.Ceil(o.Lease.Seconds()))
	return max(s, 2)
}

func (o Options) electionPrefix() string { return o.Prefix + "cluster/leader/" }
func (o Options) viewsPrefix() string    { return o.Prefix + "cluster/nodes/" }

// Changed is signalled (without blocking) when the member's state changes.
func (m *Member) Changed() <-chan struct{} { return m.changed }

// State returns the member's standing.
func (m *Member) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Leading returns a context that carries this node's leadership (see
// journal.WithLeadership) and ends when the leadership does, or false
// when this node does not lead.
func (m *Member) Leading() (context.Context, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lead, m.lead != nil
}

func (m *Member) set(f func(s *State)) {
	m.mu.Lock()
	before := m.state
	f(&m.state)
	changed := before.Connected != m.state.Connected || before.Leading != m.state.Leading
	if changed {
		m.state.Since = time.Now()
	}
	now := m.state
	m.mu.Unlock()
	if changed && m.opts.OnChange != nil {
		m.opts.OnChange(now)
	}
	if changed {
		select {
		case m.changed <- struct{}{}:
		default:
		}
	}
}

// Run keeps this node in the cluster until ctx ends: it holds a session,
// campaigns, and leads while elected. A lost session (etcd unreachable
// for longer than the lease) ends the leadership at once; the node then
// only reports until a new session is granted. On return the leadership,
// if held, is resigned so another node takes over without waiting.
func (m *Member) Run(ctx context.Context) {
	// failures counts the terms in a row that ended early; one that held
	// its session for a lease starts the count afresh (one that ends at
	// once keeps it growing, so a flapping etcd is not asked twice a
	// second).
	failures := 0
	for ctx.Err() == nil {
		held, err := m.term(ctx)
		if ctx.Err() != nil {
			return
		}
		if held >= time.Duration(m.opts.ttl())*time.Second {
			failures = 0
		}
		m.set(func(s *State) { s.Connected, s.Leading, s.Term, s.Err = false, false, 0, err.Error() })
		m.log.Warn("lost the etcd session: this node checks and reports but takes no action until it is back", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff.Pause(rejoinBase, rejoinCap, failures)):
		}
		failures++
	}
}

// The pause before asking etcd for a new session: from half a second,
// doubling to at most 5s.
const (
	rejoinBase = 500 * time.Millisecond
	rejoinCap  = 5 * time.Second
)

// term is one session: campaign, lead until the session ends. held is
// how long the session lasted (0 when etcd granted none).
func (m *Member) term(ctx context.Context) (held time.Duration, err error) {
	s, err := newSession(ctx, m.cli, m.opts.ttl())
	if err != nil {
		return 0, err
	}
	granted := time.Now()
	defer func() { held = time.Since(granted) }() // whatever the returns below say
	defer func() {
		// Revoke the lease so our key and view go at once, not after the
		// lease: bounded, since etcd may be the reason we stop.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.bound())
		defer cancel()
		_, _ = m.cli.Revoke(rctx, s.Lease())
		s.Orphan()
	}()
	defer func() {
		// Say so before the revoke above, which may wait on etcd.
		if err != nil && ctx.Err() == nil {
			m.set(func(st *State) { st.Connected, st.Leading, st.Term, st.Err = false, false, 0, err.Error() })
		}
	}()
	m.mu.Lock()
	m.session = s
	m.mu.Unlock()
	m.set(func(st *State) { st.Connected, st.Err = true, "" })
	m.log.Info("joined the lifeboat nodes", "node", m.opts.Node, "lease", time.Duration(m.opts.ttl())*time.Second)

	cctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go func() {
		select {
		case <-s.Done():
			stop(errors.New("the etcd lease expired: etcd did not answer within the lease"))
		case <-cctx.Done():
		}
	}()
	go m.watchdog(cctx, stop)
	el := concurrency.NewElection(s, m.opts.electionPrefix())
	value, _ := json.Marshal(Peer{Node: m.opts.Node, Advertise: m.opts.Advertise})
	if err := campaign(cctx, el, string(value), m.bound()); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if cause := context.Cause(cctx); cause != nil {
			return 0, cause
		}
		return 0, fmt.Errorf("campaign: %w", err)
	}
	lead, end := context.WithCancelCause(journal.WithLeadership(ctx, journal.Leadership{Key: el.Key(), Rev: el.Rev()}))
	m.mu.Lock()
	m.lead, m.key = lead, el.Key()
	m.mu.Unlock()
	m.set(func(st *State) { st.Leading, st.Term = true, el.Rev() })
	m.log.Info("this node leads the lifeboat nodes", "node", m.opts.Node, "term", el.Rev())

	<-cctx.Done()
	end(fmt.Errorf("%w: %w", journal.ErrLostLeadership, context.Cause(cctx)))
	m.mu.Lock()
	m.lead, m.key = nil, ""
	m.mu.Unlock()
	m.set(func(st *State) { st.Leading, st.Term = false, 0 })
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	m.log.Warn("this node no longer leads", "node", m.opts.Node, "why", context.Cause(cctx))
	return 0, context.Cause(cctx)
}

// bound is how long one wait on etcd may take: a quarter of the lease,
// at least half a second, so that a node whose etcd does not answer
// says so within the lease.
func (m *Member) bound() time.Duration { return m.opts.bound() }

func (o Options) bound() time.Duration {
	return max(time.Duration(o.ttl())*time.Second/4, 500*time.Millisecond)
}

// campaign is el.Campaign, returning once ctx ends and at most bound
// later. etcd's Campaign, when its context ends, resigns on the client's
// own context, which has no deadline: on a frozen etcd it would return
// only once etcd answers again. That resign, left running, ends when etcd
// answers or the client is closed; the lease it would free is revoked or
// expires anyway.
func campaign(ctx context.Context, el *concurrency.Election, val string, bound time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- el.Campaign(ctx, val) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case err := <-done:
		if err == nil {
			// Elected as the campaign was called off: the caller does not
			// lead, and revokes the session.
			return ctx.Err()
		}
		return err
	case <-t.C:
		return fmt.Errorf("campaign: called off (%w); etcd did not answer within %s", ctx.Err(), bound)
	}
}

// watchdog ends the term when etcd has not answered this node for three
// quarters of the lease: before etcd itself can expire the lease and let
// another node lead, this one has stopped. The client's own keepalive
// notices much later on a cut-off node.
func (m *Member) watchdog(ctx context.Context, stop context.CancelCauseFunc) {
	ttl := time.Duration(m.opts.ttl()) * time.Second
	every, grace := ttl/4, ttl*3/4
	last := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		key := m.electionKey()
		if key == "" {
			key = m.opts.electionPrefix()
		}
		rctx, cancel := context.WithTimeout(ctx, every)
		// A linearizable read needs a majority of etcd: a node cut off
		// with a minority of the members is cut off too.
		resp, err := m.cli.Get(rctx, key, clientv3.WithCountOnly())
		cancel()
		if err == nil && key != m.opts.electionPrefix() && resp.Count == 0 {
			// Woken from a pause longer than the lease: etcd already
			// deleted the key, and another node may lead.
			stop(errors.New("this node's leadership key is gone: its lease expired"))
			return
		}
		if err == nil {
			last = time.Now()
			continue
		}
		if time.Since(last) >= grace {
			stop(fmt.Errorf("etcd has not answered this node for %s: %w", time.Since(last).Round(100*time.Millisecond), err))
			return
		}
	}
}

// Publish puts this node's view under its session's lease, so it goes
// when the node does. Without a session it is ErrNoLeadership's cousin:
// the view is not published and the caller reports that.
func (m *Member) Publish(ctx context.Context, v View) error {
	m.mu.Lock()
	s := m.session
	connected := m.state.Connected
	m.mu.Unlock()
	if s == nil || !connected {
		return errors.New("not connected to etcd: the view is not published")
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// The key is this node's alone: another live node publishing under
	// the same name (a configuration copied without changing node) is
	// refused rather than mixed into one view.
	key := m.opts.viewsPrefix() + m.opts.Node
	resp, err := m.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.LeaseValue(key), "=", s.Lease()),
	).Then(clientv3.OpPut(key, string(data), clientv3.WithLease(s.Lease()))).Else(
		clientv3.OpTxn([]clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(key), "=", 0)},
			[]clientv3.Op{clientv3.OpPut(key, string(data), clientv3.WithLease(s.Lease()))}, nil),
	).Commit()
	if err != nil {
		return fmt.Errorf("publish this node's view: %w", err)
	}
	if !resp.Succeeded && !resp.Responses[0].GetResponseTxn().Succeeded {
		return fmt.Errorf("%w: another live lifeboat publishes as node %q: give each node its own state.etcd.node", ErrDuplicateNode, m.opts.Node)
	}
	return nil
}

// Views reads every node's published view.
func (m *Member) Views(ctx context.Context) ([]View, error) {
	resp, err := m.cli.Get(ctx, m.opts.viewsPrefix(), clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("read the nodes' views: %w", err)
	}
	out := make([]View, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var v View
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			m.log.Warn("a node's view does not decode; ignored", "key", string(kv.Key), "err", err)
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// Leader returns the node that leads now; ok is false when none does.
func (m *Member) Leader(ctx context.Context) (Peer, bool, error) {
	return leaderOf(ctx, m.cli, m.opts.electionPrefix())
}

func leaderOf(ctx context.Context, cli *clientv3.Client, prefix string) (Peer, bool, error) {
	resp, err := cli.Get(ctx, prefix, clientv3.WithFirstCreate()...)
	if err != nil {
		return Peer{}, false, fmt.Errorf("read the leader: %w", err)
	}
	if len(resp.Kvs) == 0 {
		return Peer{}, false, nil
	}
	var p Peer
	if err := json.Unmarshal(resp.Kvs[0].Value, &p); err != nil {
		return Peer{}, false, fmt.Errorf("the leader key %s does not decode: %w", resp.Kvs[0].Key, err)
	}
	return p, true, nil
}

// newSession grants the lease within a bound (the session's own context
// must live as long as the session, so it cannot bound the grant).
func newSession(ctx context.Context, cli *clientv3.Client, ttl int) (*concurrency.Session, error) {
	gctx, cancel := context.WithTimeout(ctx, time.Duration(ttl)*time.Second+3*time.Second)
	defer cancel()
	lease, err := cli.Grant(gctx, int64(ttl))
	if err != nil {
		return nil, fmt.Errorf("open an etcd session: %w", err)
	}
	s, err := concurrency.NewSession(cli, concurrency.WithLease(lease.ID), concurrency.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("open an etcd session: %w", err)
	}
	return s, nil
}

// Acquire takes the leadership for one command run without a daemon: it
// waits at most wait, then names the node that leads instead. release
// resigns and ends the session.
func Acquire(ctx context.Context, cli *clientv3.Client, opts Options, wait time.Duration) (context.Context, func(), error) {
	// Someone leads already: say so at once rather than wait in line.
	qctx, qcancel := context.WithTimeout(ctx, time.Duration(opts.ttl())*time.Second)
	p, ok, err := leaderOf(qctx, cli, opts.electionPrefix())
	qcancel()
	if err != nil {
		return nil, nil, err
	} else if ok {
		return nil, nil, leadsElsewhere(p)
	}
	s, err := newSession(ctx, cli, opts.ttl())
	if err != nil {
		return nil, nil, err
	}
	el := concurrency.NewElection(s, opts.electionPrefix())
	value, _ := json.Marshal(Peer{Node: opts.Node, Advertise: opts.Advertise})
	cctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := campaign(cctx, el, string(value), opts.bound()); err != nil {
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), opts.bound())
		defer rcancel()
		_, _ = cli.Revoke(rctx, s.Lease())
		s.Orphan()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if p, ok, lerr := leaderOf(rctx, cli, opts.electionPrefix()); lerr == nil && ok && p.Node != opts.Node {
			return nil, nil, leadsElsewhere(p)
		}
		return nil, nil, fmt.Errorf("%w: not elected within %s: %w", ErrNoLeadership, wait, err)
	}
	lead, end := context.WithCancelCause(journal.WithLeadership(ctx, journal.Leadership{Key: el.Key(), Rev: el.Rev()}))
	go func() {
		select {
		case <-s.Done():
			end(fmt.Errorf("%w: the etcd session ended", journal.ErrLostLeadership))
		case <-lead.Done():
		}
	}()
	release := func() {
		end(nil)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.bound())
		defer cancel()
		_, _ = cli.Revoke(rctx, s.Lease())
		s.Orphan()
	}
	return lead, release, nil
}

func leadsElsewhere(p Peer) error {
	where := ""
	if p.Advertise != "" {
		where = " (its API: " + p.Advertise + ")"
	}
	return fmt.Errorf("%w: node %s leads%s; run the command on that node, or on any node running `lifeboat run`, which forwards it", ErrNoLeadership, p.Node, where)
}
