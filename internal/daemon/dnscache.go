package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// dnsCache is the DNS providers' states as watchDNS last read them (every
// zone through its API). Status, the page and plans are answered from it:
// a read of every zone costs a hosted DNS API's quota, which the failover
// needs. When it holds nothing fresh, one live read is made, shared by
// every request that waits meanwhile.
type dnsCache struct {
	mu     sync.Mutex
	view   engine.DNSView
	reader *dnsRead // the live read in flight, nil when none
}

// dnsRead is one live read of every DNS provider, shared by its waiters.
type dnsRead struct {
	done chan struct{}
	view engine.DNSView
}

// put keeps states read at at (the newer one wins).
func (c *dnsCache) put(states map[string]planner.Observation, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.After(c.view.At) {
		c.view = engine.DNSView{States: states, At: at}
	}
}

// forget drops what was read (a reload may name other DNS providers).
func (c *dnsCache) forget() {
	c.mu.Lock()
	c.view = engine.DNSView{}
	c.mu.Unlock()
}

// get returns the states if they are younger than maxAge; otherwise it
// reads them live through read, at most one read at a time, or waits for
// the read already in flight.
func (c *dnsCache) get(ctx context.Context, maxAge time.Duration, read func(context.Context) map[string]planner.Observation) engine.DNSView {
	c.mu.Lock()
	if !c.view.At.IsZero() && time.Since(c.view.At) <= maxAge {
		v := c.view
		c.mu.Unlock()
		return v
	}
	r := c.reader
	if r == nil {
		r = &dnsRead{done: make(chan struct{})}
		c.reader = r
		// The read is not the first caller's: it goes on if that one
		// leaves, for the others waiting on it.
		go func() {
			at := time.Now()
			states := read(context.WithoutCancel(ctx))
			c.put(states, at)
			c.mu.Lock()
			r.view = engine.DNSView{States: states, At: at}
			c.reader = nil
			c.mu.Unlock()
			close(r.done)
		}()
	}
	stale := c.view
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.view
	case <-ctx.Done():
		return stale
	}
}

// dnsMaxAge is how old the cached DNS states may be when served: watchDNS
// reads them every dnsReadEvery, so twice that means it has fallen behind.
func dnsMaxAge(interval time.Duration) time.Duration { return 2*dnsReadEvery(interval) + minDNSRead }

// minDNSRead leaves a slow read time to finish before it counts as late.
const minDNSRead = 10 * time.Second

// dnsReadEvery is how often watchDNS reads every zone: every 30 s, or
// every policy.interval if longer.
func dnsReadEvery(interval time.Duration) time.Duration { return max(30*time.Second, interval) }

// dnsStates is the DNS providers' states for status, the page and plans.
func (d *Daemon) dnsStates(ctx context.Context) engine.DNSView {
	eng, _ := d.current()
	return d.dns.get(ctx, dnsMaxAge(eng.Cfg.Policy.Interval), func(ctx context.Context) map[string]planner.Observation {
		eng, _ := d.current()
		return eng.DNSStates(ctx)
	})
}
