package health

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnsquery"
)

func compileDNS(c *config.DNSCheck, server string) (probeFunc, error) {
	typ := c.Type // defaulted and upper-cased by the configuration
	qtype, ok := dns.StringToType[typ]
	if !ok {
		return nil, fmt.Errorf("unknown DNS type %q", c.Type)
	}
	if c.Name == "" {
		return nil, fmt.Errorf("dns check needs a name")
	}
	var expect *regexp.Regexp
	if c.Expect != "" {
		re, err := regexp.Compile(c.Expect)
		if err != nil {
			return nil, fmt.Errorf("expect: %w", err)
		}
		expect = re
	}
	name := dns.Fqdn(c.Name)
	return func(ctx context.Context, start time.Time) outcome {
		opts := dnsquery.Options{RecursionDesired: true}
		if dl, ok := ctx.Deadline(); ok {
			opts.Timeout = time.Until(dl)
		}
		in, err := dnsquery.Ask(ctx, server, name, qtype, opts)
		var rcode *dnsquery.RcodeError
		switch {
		case errors.As(err, &rcode):
			return outcome{reason: fmt.Sprintf("%s %s: %s", name, typ, dns.RcodeToString[rcode.Rcode])}
		case err != nil:
			return errOutcome(ctx, start, fmt.Sprintf("%s %s: ", name, typ), err)
		}
		var values []string
		for _, rr := range in.Answer {
			if rr.Header().Rrtype != qtype {
				continue
			}
			v := strings.TrimPrefix(rr.String(), rr.Header().String())
			if expect == nil || expect.MatchString(v) {
				return outcome{ok: true, reason: fmt.Sprintf("%s %s %s", name, typ, v)}
			}
			values = append(values, v)
		}
		if len(values) == 0 {
			return outcome{reason: fmt.Sprintf("%s %s: no answer", name, typ)}
		}
		return outcome{reason: fmt.Sprintf("%s %s: answers %s do not match /%s/", name, typ, strings.Join(values, ", "), expect)}
	}, nil
}
