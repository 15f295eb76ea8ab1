// Package dnsquery asks one DNS server one question: the single query
// helper behind health checks, SOA probing and cutover verification, so
// that timeouts, truncation, the authoritative flag, error codes and hidden
// server addresses are handled the same way everywhere.
package dnsquery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// DefaultTimeout bounds one exchange when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// Options tune a query; the zero value asks over UDP without recursion,
// with DefaultTimeout.
type Options struct {
	// Timeout bounds the whole query, a TCP retry included (default
	// DefaultTimeout); ctx's deadline applies too, whichever is sooner.
	Timeout time.Duration
	// RecursionDesired sets the RD flag: on to ask a resolver, off (the
	// default) to ask an authoritative server about its own zone.
	RecursionDesired bool
	// Authoritative requires the AA flag on a NOERROR or NXDOMAIN answer;
	// without it Ask returns ErrNotAuthoritative.
	Authoritative bool
	// TCP asks over TCP from the start.
	TCP bool
	// HideServer keeps the server's address out of errors ("<hidden>").
	HideServer bool
}

// ErrNotAuthoritative is returned (wrapped) when Options.Authoritative is
// set and the answer lacks the AA flag: the server does not hold the zone
// (or answered from a cache).
var ErrNotAuthoritative = errors.New("answer is not authoritative")

// ErrRcode is matched (errors.Is) by every *RcodeError.
var ErrRcode = errors.New("DNS error response")

// RcodeError is returned when the answer's rcode is not NOERROR. Callers
// that treat NXDOMAIN as an empty answer check Rcode == dns.RcodeNameError.
type RcodeError struct {
	Rcode    int
	Question string // e.g. "www.example.com. A at 192.0.2.53:53"
}

func (e *RcodeError) Error() string {
	name, ok := dns.RcodeToString[e.Rcode]
	if !ok {
		name = fmt.Sprintf("RCODE%d", e.Rcode)
	}
	return fmt.Sprintf("%s: server answered %s", e.Question, name)
}

// Is makes errors.Is(err, ErrRcode) true.
func (e *RcodeError) Is(target error) bool { return target == ErrRcode }

// Ask asks server ("host:port") for name's records of type qtype and
// returns the reply. Over UDP, a truncated reply is asked again over TCP.
// It returns when ctx ends or opts.Timeout passes, whichever is first.
//
// On an *RcodeError or ErrNotAuthoritative the reply is returned with the
// error, for callers that want to look at it (an authoritative NXDOMAIN
// is a valid "no such record"). Every error names the question and the
// server, unless opts.HideServer.
func Ask(ctx context.Context, server, name string, qtype uint16, opts Options) (*dns.Msg, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	name = dns.Fqdn(name)
	shown := server
	if opts.HideServer {
		shown = redact.Placeholder
	}
	question := fmt.Sprintf("%s %s at %s", name, typeString(qtype), shown)

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	m := new(dns.Msg).SetQuestion(name, qtype)
	m.RecursionDesired = opts.RecursionDesired

	network := "udp"
	if opts.TCP {
		network = "tcp"
	}
	r, err := exchange(ctx, network, server, m)
	if err == nil && r.Truncated && network == "udp" {
		r, err = exchange(ctx, "tcp", server, m)
	}
	if err != nil {
		// The network error says "i/o timeout" either way; the context
		// says whether it was the deadline or a cancel.
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		} else if dl, _ := ctx.Deadline(); errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
			// The socket's deadline is ctx's and may fire just before
			// ctx's own timer does.
			err = context.DeadlineExceeded
		}
		if opts.HideServer {
			// The host alone too, as net errors print it in several forms.
			err = redact.Secrets(server).Error(err)
		}
		return nil, fmt.Errorf("%s: %w", question, err)
	}
	if opts.Authoritative && !r.Authoritative && (r.Rcode == dns.RcodeSuccess || r.Rcode == dns.RcodeNameError) {
		return r, fmt.Errorf("%s: %w", question, ErrNotAuthoritative)
	}
	if r.Rcode != dns.RcodeSuccess {
		return r, &RcodeError{Rcode: r.Rcode, Question: question}
	}
	return r, nil
}

// exchange sends m once over network. miekg/dns applies ctx's deadline
// but not its cancellation to reads, so a cancel closes the wait here.
func exchange(ctx context.Context, network, server string, m *dns.Msg) (*dns.Msg, error) {
	c := &dns.Client{Net: network}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
	}
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	return r, err
}

func typeString(qtype uint16) string {
	if s, ok := dns.TypeToString[qtype]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", qtype)
}
