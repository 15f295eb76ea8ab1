package daemon

import (
	"context"
	"net"
	"net/http"
	"net/url"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/httpapi"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/statuspage"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

var _ httpapi.Backend = (*Daemon)(nil)

// httpHandler is the HTTP API over this daemon. Operations started over
// HTTP run in the daemon's context: a client that goes away does not stop
// a failover half-way.
func (d *Daemon) httpHandler(ctx context.Context) http.Handler {
	eng, _ := d.current()
	s := eng.Cfg.Server
	return httpapi.New(d, httpapi.Options{ReadToken: s.ReadToken, OperateToken: s.OperateToken, Logger: d.log, Base: ctx,
		Hosts: serverHosts(s), Gate: d.forwardGate,
		Metrics: d.metrics.Handler(), Page: statuspage.Handler(pageSource{d}, statuspage.Options{Logger: d.log, DrillMaxAge: eng.Cfg.Audit.DrillMaxAge})})
}

// serverHosts are the names the API answers to besides loopback names and
// addresses: the listen host and the advertised one.
func serverHosts(s *config.Server) []string {
	var hosts []string
	if h, _, err := net.SplitHostPort(s.Listen); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if u, err := url.Parse(s.Advertise); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	return hosts
}

// pageSource is what the status page reads from the daemon.
type pageSource struct{ d *Daemon }

func (s pageSource) Status(ctx context.Context) (*wire.StatusDoc, error) { return s.d.Status(ctx) }

func (s pageSource) History(ctx context.Context, limit int) ([]journal.Operation, error) {
	eng, _ := s.d.current()
	return eng.History(ctx, limit)
}

func (s pageSource) DrillReports(ctx context.Context, limit int) ([]wire.DrillReport, error) {
	eng, _ := s.d.current()
	return eng.DrillReports(ctx, limit)
}

var _ statuspage.Source = pageSource{}
