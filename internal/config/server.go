package config

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Server is the `server { ... }` block: the daemon's HTTP API, status page
// and metrics. Without the block the daemon serves no HTTP.
type Server struct {
	// Listen is host:port; default DefaultListen (loopback).
	Listen string
	// ReadToken lets a client read (status, history, plan, metrics);
	// empty means reading needs no token, which is only allowed on a
	// loopback address. Secret.
	ReadToken string
	// OperateToken lets a client also POST (failover, failback, drill,
	// hold); empty means nothing can be POSTed. Secret.
	OperateToken string
	// TLSCert and TLSKey are PEM files (paths resolved against Dir); both
	// or neither.
	TLSCert, TLSKey string
	// Advertise is the URL other lifeboat nodes reach this API at (a node
	// that does not lead forwards operations there). Default: the listen
	// address when it names one host, else none.
	Advertise string
	// InsecurePlaintext allows a non-loopback listen without TLS and an
	// http:// advertise to a non-loopback host: tokens then cross the
	// network in clear. The daemon logs a warning at every start.
	InsecurePlaintext bool
	// MaxConnections caps the API's open connections, and
	// MaxConnectionsPerClient those from one client address: a client
	// that opens more cannot exhaust the daemon's file descriptors, which
	// its own health checks need. Default DefaultMaxConnections and
	// DefaultMaxConnectionsPerClient.
	MaxConnections, MaxConnectionsPerClient int
	// IdleTimeout closes a keep-alive connection with no request for that
	// long. Default DefaultServerIdleTimeout.
	IdleTimeout time.Duration
	Range       hcl.Range
}

type rawServer struct {
	Listen       *string   `hcl:"listen,optional"`
	ReadToken    *string   `hcl:"read_token,optional"`
	OperateToken *string   `hcl:"operate_token,optional"`
	TLSCert      *string   `hcl:"tls_cert,optional"`
	TLSKey       *string   `hcl:"tls_key,optional"`
	Advertise    *string   `hcl:"advertise,optional"`
	Insecure     *bool     `hcl:"insecure_plaintext,optional"`
	MaxConns     *int      `hcl:"max_connections,optional"`
	MaxPerClient *int      `hcl:"max_connections_per_client,optional"`
	IdleTimeout  *string   `hcl:"idle_timeout,optional"`
	Body         hcl.Body  `hcl:",body"`
	DefRange     hcl.Range `hcl:",def_range"`
}

// minTokenLen keeps guessable tokens out: 16 bytes of entropy written
// as hex is 32 characters; 16 is the floor.
const minTokenLen = 16

func (c *checker) server(r *rawServer) *Server {
	b := c.block(r.Body, r.DefRange, "server", "", false)
	s := &Server{Range: r.DefRange}
	s.Listen = b.nonEmpty("listen", r.Listen, false)
	if s.Listen == "" {
		s.Listen = DefaultListen
	}
	host, _, err := net.SplitHostPort(s.Listen)
	if err != nil {
		b.errf("listen", "must be host:port, such as 127.0.0.1:9797, got %q", s.Listen)
	}
	s.ReadToken = b.nonEmpty("read_token", r.ReadToken, false)
	s.OperateToken = b.nonEmpty("operate_token", r.OperateToken, false)
	for name, tok := range map[string]string{"read_token": s.ReadToken, "operate_token": s.OperateToken} {
		c.addSecret(tok)
		if tok != "" && len(tok) < minTokenLen {
			b.errf(name, "is too short (%d characters): use at least %d random characters, from env() or file()", len(tok), minTokenLen)
		}
	}
	if s.ReadToken != "" && s.ReadToken == s.OperateToken {
		b.errf("operate_token", "must differ from read_token: a read token must not be able to operate")
	}
	if err == nil && s.ReadToken == "" && !loopbackHost(host) {
		b.errf("read_token", "is required when listen is not a loopback address (%s): the status and plan would be open to anyone who can reach it", s.Listen)
	}
	s.TLSCert = b.nonEmpty("tls_cert", r.TLSCert, false)
	s.TLSKey = b.nonEmpty("tls_key", r.TLSKey, false)
	if (s.TLSCert == "") != (s.TLSKey == "") {
		b.blockErrf("tls_cert and tls_key go together: set both or neither")
	}
	if b.ok("insecure_plaintext") && r.Insecure != nil {
		s.InsecurePlaintext = *r.Insecure
	}
	if err == nil && s.TLSCert == "" && !loopbackHost(host) && !s.InsecurePlaintext {
		b.errf("listen", "is not a loopback address (%s) and no tls_cert is set: tokens would cross the network in clear; set tls_cert and tls_key, or insecure_plaintext = true to accept that", s.Listen)
	}
	s.Advertise = b.nonEmpty("advertise", r.Advertise, false)
	if s.Advertise != "" {
		u, perr := url.Parse(s.Advertise)
		switch {
		case perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			b.errf("advertise", "must be an http or https URL with a host, such as https://n1.example.net:9797, got%s", b.q("advertise", s.Advertise))
		case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil:
			b.errf("advertise", "must be the API's base URL, without a path, query, fragment or credentials")
		case u.Scheme == "http" && !loopbackHost(u.Hostname()) && !s.InsecurePlaintext:
			// Followers forward the operate token to this URL.
			b.errf("advertise", "must be https when its host is not a loopback address: other nodes send the operate token there; use https, or insecure_plaintext = true to accept that")
		default:
			s.Advertise = strings.TrimSuffix(s.Advertise, "/")
		}
	} else if err == nil && host != "" && !unspecified(host) {
		scheme := "http"
		if s.TLSCert != "" {
			scheme = "https"
		}
		s.Advertise = scheme + "://" + s.Listen
	}
	s.MaxConnections = b.intIn("max_connections", r.MaxConns, 1, maxInt)
	s.MaxConnectionsPerClient = b.intIn("max_connections_per_client", r.MaxPerClient, 1, maxInt)
	if s.MaxConnections > 0 && s.MaxConnectionsPerClient > s.MaxConnections {
		b.errf("max_connections_per_client", "(%d) must not exceed max_connections (%d)", s.MaxConnectionsPerClient, s.MaxConnections)
	}
	s.IdleTimeout = b.duration("idle_timeout", r.IdleTimeout)
	return s
}

// unspecified reports whether host is a wildcard address (every interface).
func unspecified(host string) bool {
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsUnspecified()
}

// loopbackHost reports whether host names only this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// cleartextEndpoint returns the first of e's endpoints that another
// machine would be reached at without TLS, or "", and whether that is so
// only because of the first endpoint. etcd's client speaks TLS to https://
// endpoints, and to endpoints without a scheme when TLS files are set;
// unix sockets stay on this machine. But it dials every endpoint with the
// first one's credentials: after "localhost:2379", "unix://..." or
// "http://127.0.0.1:2379", an https:// endpoint elsewhere is reached in
// clear too.
func cleartextEndpoint(e *Etcd) (ep string, byFirst bool) {
	tlsFiles := e.CAFile != "" || e.CertFile != ""
	firstTLS := false
	for i, ep := range e.Endpoints {
		scheme, rest, found := strings.Cut(ep, "://")
		if !found {
			scheme, rest = "", ep
		}
		secure := scheme == "https" || scheme == "unixs" || (scheme == "" || scheme == "unix") && tlsFiles
		if i == 0 {
			firstTLS = secure
		}
		if scheme == "unix" || scheme == "unixs" {
			continue
		}
		host := rest
		if h, _, err := net.SplitHostPort(strings.TrimSuffix(rest, "/")); err == nil {
			host = h
		}
		switch {
		case loopbackHost(host):
		case !secure:
			return ep, false
		case !firstTLS:
			return ep, true
		}
	}
	return "", false
}
