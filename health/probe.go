package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// DefaultTimeout bounds one probe when neither the check nor the policy says.
const DefaultTimeout = config.DefaultTimeout

// Buffer sizes of every kept-alive probe connection (net/http's default is 4 KB each).
const (
	probeReadBuffer  = 1 << 10
	probeWriteBuffer = 512
)

// Probe is one check against one target, compiled once (requests built,
// regular expressions parsed) and run many times.
type Probe struct {
	Service string
	Check   string
	Kind    string
	Target  string
	Timeout time.Duration
	// Interval is the check's own interval; zero means every round.
	Interval time.Duration
	fn       probeFunc
	// redact scrubs the reason and warning of every result.
	redact func(string) string
}

// outcome is a prober's verdict; Probe.Run adds the bookkeeping.
type outcome struct {
	ok, lost        bool
	reason, warning string
	// err is the error behind a failure, when there is one: Probe.Run
	// tells a local fault from it.
	err error
}

// probeFunc runs one probe; start is when the probe began, for latency limits.
type probeFunc func(ctx context.Context, start time.Time) outcome

// Run probes once within the probe's timeout.
func (p *Probe) Run(ctx context.Context) Result {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	start := time.Now()
	o := p.fn(ctx, start)
	lat := time.Since(start)
	cancel()
	unknown := false
	if why := localFault(o.err); !o.ok && why != "" {
		// This node failed, not the target: the probe saw nothing.
		unknown, o.lost = true, false
		o.reason = LocalFaultPrefix + why + " (" + o.reason + ")"
	}
	if p.redact != nil {
		o.reason = p.redact(o.reason)
		if o.warning != "" {
			o.warning = p.redact(o.warning)
		}
	}
	// The one place every reason passes: whatever a target sends (a huge
	// header quoted in a mismatch) stays a few hundred bytes here, in the
	// status document, the journal and every notification.
	return Result{
		Service: p.Service, Check: p.Check, Kind: p.Kind, Target: p.Target,
		OK: o.ok, Unknown: unknown, AccountLost: o.lost, Warning: capText(o.warning), Reason: capText(o.reason),
		Latency: lat, At: start,
	}
}

// ProberOptions configure the shared resources of all probes.
type ProberOptions struct {
	// MaxConnsPerHost bounds idle keep-alive connections kept per host;
	// default 64 (the default concurrency).
	MaxConnsPerHost int
	// RootCAs verifies HTTPS servers; nil means the system roots.
	RootCAs *x509.CertPool
	// Dir is the configuration file's directory (config.Config.Dir): an
	// exec check's command given as a relative path (./check.sh) runs from
	// there, and every exec check runs with it as working directory. Empty
	// means the current directory. BuildGroups uses the configuration's
	// directory when this is empty.
	Dir string
	// Redact scrubs every result's Reason, Warning and Target, the last
	// guard before they reach the journal, logs and output; pass
	// config.Config.Redact. Nil leaves them as they are (BuildGroups then
	// uses the configuration's Redact).
	Redact func(string) string
}

// compileEnv is what compiling a check needs beyond the check itself.
type compileEnv struct {
	dir    string
	redact func(string) string
}

// env is the options' compile environment, completed from cfg when set.
func (p *Probers) env(cfg *config.Config) compileEnv {
	e := compileEnv{dir: p.opts.Dir, redact: p.opts.Redact}
	if cfg != nil && e.dir == "" {
		e.dir = cfg.Dir
	}
	if cfg != nil && e.redact == nil {
		e.redact = cfg.Redact
	}
	if e.redact == nil {
		e.redact = identity
	}
	return e
}

// Probers holds what probes share: HTTP transports with keep-alive, one
// per TLS setting (verification on/off, SNI override).
type Probers struct {
	opts       ProberOptions
	mu         sync.Mutex
	transports map[tlsKey]*http.Transport
}

type tlsKey struct {
	insecure   bool
	serverName string
}

// NewProbers returns the shared prober state; Close it when done.
func NewProbers(opts ProberOptions) *Probers {
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = config.DefaultConcurrency
	}
	return &Probers{opts: opts, transports: map[tlsKey]*http.Transport{}}
}

// Close drops idle connections.
func (p *Probers) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.transports {
		t.CloseIdleConnections()
	}
}

func (p *Probers) transport(insecure bool, serverName string) *http.Transport {
	k := tlsKey{insecure, serverName}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.transports[k]; ok {
		return t
	}
	t := &http.Transport{
		Proxy:                 nil, // probes go straight to the origin
		DialContext:           (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   p.opts.MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   0, // the probe's context bounds it
		ExpectContinueTimeout: time.Second,
		// A probe sends a few hundred bytes and reads a status line,
		// headers and a short body: 4 KB buffers each way on every kept-alive
		// connection were most of the heap at thousands of targets. Longer
		// lines and bodies still read whole, in more reads.
		ReadBufferSize:  probeReadBuffer,
		WriteBufferSize: probeWriteBuffer,
		// A target's status line and headers are read whole: a hostile
		// one must not grow the daemon by megabytes per probe.
		MaxResponseHeaderBytes: MaxResponseHeader,
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: insecure, // explicit opt-out in the check
			ServerName:         serverName,
			RootCAs:            p.opts.RootCAs,
		},
	}
	p.transports[k] = t
	return t
}

// Compile turns a check into one probe per target. addrs are the host
// addresses of the provider the check runs against (used when the check
// names a path or port rather than a full URL or address). defTimeout is
// the policy's timeout.
func (p *Probers) Compile(service string, c *config.Check, addrs []string, defTimeout time.Duration) ([]*Probe, error) {
	return p.compile(service, c, addrs, defTimeout, p.env(nil))
}

func (p *Probers) compile(service string, c *config.Check, addrs []string, defTimeout time.Duration, env compileEnv) ([]*Probe, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = defTimeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	base := Probe{Service: service, Check: c.Name, Kind: c.Kind(), Timeout: timeout, Interval: c.Interval, redact: env.redact}
	var (
		targets []string
		build   func(target string) (probeFunc, error)
		// show is what a result names as its target; the target itself
		// when nil.
		show func(target string) string
		err  error
	)
	switch {
	case c.HTTP != nil:
		targets, err = httpTargets(c.HTTP, addrs)
		build = func(t string) (probeFunc, error) { return p.compileHTTP(c.HTTP, t) }
		// A literal URL may still carry a password or an API key in its
		// query: shown without them.
		show = redactURL
		if c.HTTP.URLSecret {
			show = func(string) string { return fmt.Sprintf("check %q (url hidden)", c.Name) }
		}
	case c.TCP != nil:
		targets = hostPortTargets(c.TCP.Address, c.TCP.Port, addrs)
		build = func(t string) (probeFunc, error) { return compileTCP(c.TCP, t) }
	case c.DNS != nil:
		targets = hostPortTargets(c.DNS.Server, 53, addrs)
		build = func(t string) (probeFunc, error) { return compileDNS(c.DNS, t) }
	case c.Exec != nil:
		if len(c.Exec.Command) == 0 {
			return nil, fmt.Errorf("check %q: exec needs a command", c.Name)
		}
		targets = []string{c.Exec.Command[0]}
		build = func(string) (probeFunc, error) { return compileExec(c.Exec, env.dir, env.redact), nil }
	case c.ProviderAPI != nil:
		targets = []string{c.ProviderAPI.URL}
		build = func(string) (probeFunc, error) { return p.compileProviderAPI(c.ProviderAPI) }
		show = redactURL
	default:
		return nil, fmt.Errorf("check %q has no prober block", c.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("check %q: %w", c.Name, err)
	}
	if len(targets) == 0 {
		pr := base
		pr.Target = "(no addresses)"
		pr.fn = func(context.Context, time.Time) outcome {
			return outcome{reason: "no host addresses known to check"}
		}
		return []*Probe{&pr}, nil
	}
	out := make([]*Probe, 0, len(targets))
	for _, t := range targets {
		fn, err := build(t)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.Name, err)
		}
		pr := base
		pr.fn = fn
		pr.Target = t
		if show != nil {
			pr.Target = show(t)
		}
		pr.Target = env.redact(pr.Target)
		out = append(out, &pr)
	}
	return out, nil
}

// hostPortTargets is the fixed address when set, else port on every address.
func hostPortTargets(fixed string, port int, addrs []string) []string {
	if fixed != "" {
		return []string{fixed}
	}
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, withPort(a, port))
	}
	return out
}

// withPort adds port to an address that does not carry one already.
func withPort(addr string, port int) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(addr, strconv.Itoa(port))
}

// redactURL drops user info and the query, where tokens tend to hide.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid url)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

// describeErr turns a network error into the words an operator needs.
func describeErr(err error, timeout time.Duration) string {
	var (
		certInvalid x509.CertificateInvalidError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		recErr      tls.RecordHeaderError
		dnsErr      *net.DNSError
		redir       *redirectError
	)
	switch {
	case errors.As(err, &redir):
		return redir.Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer within " + timeout.String()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &certInvalid):
		if certInvalid.Reason == x509.Expired {
			return "TLS certificate expired or not yet valid: " + certInvalid.Detail
		}
		return "TLS certificate invalid: " + certInvalid.Error()
	case errors.As(err, &unknownCA):
		return "TLS certificate signed by unknown authority (self-signed?)"
	case errors.As(err, &hostErr):
		return "TLS certificate not valid for " + hostErr.Host
	case errors.As(err, &recErr):
		return "server did not answer with TLS"
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a complete answer"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
