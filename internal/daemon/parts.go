package daemon

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// parts are the daemon's goroutines that depend on the configuration:
// the DNS watcher and the zone-sync loop. A reload stops them and starts
// them again for the new configuration, and Run waits for them before it
// returns; nothing of an old configuration keeps running unowned.
type parts struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// dnsEvery and dnsFull are the DNS watcher's pauses, from cfg: between
	// its rounds, and between full reads of every zone.
	dnsEvery, dnsFull time.Duration
}

// startParts starts cfg's parts under ctx.
func (d *Daemon) startParts(ctx context.Context, cfg *config.Config) *parts {
	ctx, cancel := context.WithCancel(ctx)
	p := &parts{cancel: cancel, dnsFull: dnsReadEvery(cfg.Policy.Interval)}
	p.dnsEvery = p.dnsFull
	if len(cfg.Registrars) > 0 {
		p.dnsEvery = cfg.Policy.Interval
	}
	p.wg.Go(func() { d.watchDNS(ctx, p.dnsEvery, p.dnsFull) })
	if engine.HasData(cfg, "") {
		every := cfg.Policy.DataInterval
		if every <= 0 {
			every = config.DefaultDataInterval
		}
		p.wg.Go(func() { d.watchData(ctx, every) })
	}
	if every := cfg.Policy.SyncInterval; every > 0 {
		p.wg.Go(func() { d.keepZonesInSync(ctx, every) })
	}
	return p
}

// stop cancels the parts and waits until they have returned.
func (p *parts) stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.wg.Wait()
}

// swapHandler is the HTTP server's handler, rebuilt on reload: the
// listener stays, the tokens and everything else behind it are the new
// configuration's.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, "starting", http.StatusServiceUnavailable)
}

// restartOnly names the first setting that differs between old and cfg
// and that a running daemon cannot change (where it keeps its journal,
// how it joins the other nodes, where and how it listens), or "" when
// cfg can be swapped in.
func restartOnly(old, cfg *config.Config) (field, detail string) {
	if a, b := old.Path(old.State.Path), cfg.Path(cfg.State.Path); a != b {
		return "state.path", fmt.Sprintf("from %s to %s", a, b)
	}
	if !sameEtcd(old.State.Etcd, cfg.State.Etcd) {
		return "state.etcd", "endpoints, prefix, node, lease, credentials or TLS files"
	}
	a, b := old.Server, cfg.Server
	switch {
	case (a == nil) != (b == nil):
		return "server", "the block was added or removed"
	case a == nil:
		return "", ""
	case a.Listen != b.Listen:
		return "server.listen", fmt.Sprintf("from %s to %s", a.Listen, b.Listen)
	case a.TLSCert != b.TLSCert || a.TLSKey != b.TLSKey:
		return "server.tls_cert", "tls_cert or tls_key"
	case a.Advertise != b.Advertise:
		return "server.advertise", fmt.Sprintf("from %q to %q", a.Advertise, b.Advertise)
	// The listener's caps and idle timeout are set when it is made.
	case a.MaxConnections != b.MaxConnections:
		return "server.max_connections", fmt.Sprintf("from %d to %d", a.MaxConnections, b.MaxConnections)
	case a.MaxConnectionsPerClient != b.MaxConnectionsPerClient:
		return "server.max_connections_per_client", fmt.Sprintf("from %d to %d", a.MaxConnectionsPerClient, b.MaxConnectionsPerClient)
	case a.IdleTimeout != b.IdleTimeout:
		return "server.idle_timeout", fmt.Sprintf("from %s to %s", a.IdleTimeout, b.IdleTimeout)
	}
	return "", ""
}
