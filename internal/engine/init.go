package engine

import (
	"context"
	"io"

	"github.com/lifeboat-dev/lifeboat/internal/scaffold"
)

// `lifeboat init` writes a first configuration and a workspace skeleton
// per provider; internal/scaffold does the work, the CLI reaches it here.

// InitAnswers are init's answers, from flags or from the questions.
type InitAnswers = scaffold.Answers

// InitResult is what init wrote.
type InitResult = scaffold.Result

// Sentinels of init: a bad answer (a usage error), an existing
// configuration, the input closed before the last question.
var (
	ErrInitInvalid = scaffold.ErrInvalid
	ErrInitExists  = scaffold.ErrExists
	ErrInitClosed  = scaffold.ErrClosed
)

// InitFlags turns init's flags into answers (see scaffold.ParseProvider,
// ParseDNS, ParseService and SetDNSSetting for the forms); records,
// candidates and checkPath are the defaults of services whose spec leaves
// them out. The answers are normalized.
func InitFlags(providers, dns, dnsSettings, services []string, records, candidates, checkPath string) (InitAnswers, error) {
	var a InitAnswers
	for _, spec := range providers {
		p, err := scaffold.ParseProvider(spec)
		if err != nil {
			return a, err
		}
		a.Providers = append(a.Providers, p)
	}
	for _, spec := range dns {
		d, err := scaffold.ParseDNS(spec)
		if err != nil {
			return a, err
		}
		a.DNS = append(a.DNS, d)
	}
	for _, spec := range dnsSettings {
		if err := a.SetDNSSetting(spec); err != nil {
			return a, err
		}
	}
	if len(services) == 0 {
		services = []string{"www"}
	}
	for _, spec := range services {
		s, err := scaffold.ParseService(spec)
		if err != nil {
			return a, err
		}
		if len(s.Records) == 0 {
			s.Records = scaffold.SplitList(records)
		}
		if len(s.Candidates) == 0 {
			s.Candidates = scaffold.SplitList(candidates)
		}
		if s.CheckPath == "" {
			s.CheckPath = checkPath
		}
		a.Services = append(a.Services, s)
	}
	return a, a.Normalize()
}

// InitAsk asks init's questions on out, reading answers from in.
func InitAsk(ctx context.Context, in io.Reader, out io.Writer) (InitAnswers, error) {
	return scaffold.Ask(ctx, in, out)
}

// InitCheckTarget refuses an existing configuration unless force.
func InitCheckTarget(configPath string, force bool) error {
	return scaffold.CheckTarget(configPath, force)
}

// InitWrite writes the configuration and the workspaces' skeletons.
func InitWrite(configPath string, a InitAnswers, force bool) (InitResult, error) {
	return scaffold.Write(configPath, a, force)
}

// DNSTypes are the registered DNS provider types.
func DNSTypes() []string { return scaffold.DNSTypes() }
