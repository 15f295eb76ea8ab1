package httpapi

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// limitListener caps open connections, in all and per client address. A
// connection over a cap is accepted and closed at once, so the kernel's
// queue does not fill with them either: a stranger holding many idle
// connections cannot take the file descriptors the daemon's own health
// checks need, nor crowd out other clients.
type limitListener struct {
	net.Listener
	total, perClient int
	log              *slog.Logger

	mu         sync.Mutex
	open       int
	byClient   map[netip.Addr]int
	refused    int
	lastWarned time.Time
}

func newLimitListener(l net.Listener, total, perClient int, log *slog.Logger) *limitListener {
	return &limitListener{Listener: l, total: total, perClient: perClient, log: log, byClient: map[netip.Addr]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := clientAddr(c.RemoteAddr())
		if l.admit(client) {
			return &limitConn{Conn: c, release: sync.OnceFunc(func() { l.release(client) })}, nil
		}
		_ = c.Close()
	}
}

func clientAddr(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip := ta.AddrPort().Addr()
		return ip.Unmap()
	}
	return netip.Addr{}
}

func (l *limitListener) admit(client netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.total || l.byClient[client] >= l.perClient {
		l.refused++
		// One warning a minute at most: a flood must not fill the log.
		if now := time.Now(); now.Sub(l.lastWarned) >= time.Minute {
			l.log.Warn("http connections refused: over the connection cap", "client", client.String(), "refused", l.refused,
				"open", l.open, "max_connections", l.total, "max_connections_per_client", l.perClient)
			l.lastWarned, l.refused = now, 0
		}
		return false
	}
	l.open++
	l.byClient[client]++
	return true
}

func (l *limitListener) release(client netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byClient[client]--; l.byClient[client] <= 0 {
		delete(l.byClient, client)
	}
}

// limitConn gives its place back once, when closed.
type limitConn struct {
	net.Conn
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
