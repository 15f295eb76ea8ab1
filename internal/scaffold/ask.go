package scaffold

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// maxEach bounds the providers, DNS providers and services asked for, and
// maxTries the times one question is asked again after a bad answer.
const (
	maxEach  = 20
	maxTries = 5
)

// ErrClosed is returned when the input ends before the questions do.
var ErrClosed = errors.New("standard input closed before every question was answered")

// asker asks one question at a time on out and reads the answer from in.
type asker struct {
	ctx   context.Context
	lines chan string
	errc  chan error
	out   io.Writer
}

// Ask puts the questions of `lifeboat init` on out and reads the answers
// from in, a line each; Enter takes the default shown in brackets. The
// answers are checked as they come (a bad one is asked again) and returned
// normalized. A cancelled ctx stops the wait for an answer.
func Ask(ctx context.Context, in io.Reader, out io.Writer) (Answers, error) {
	q := &asker{ctx: ctx, lines: make(chan string), errc: make(chan error, 1), out: out}
	// One reader for the whole session, so no typed-ahead line is lost; it
	// is read in a goroutine so that an interrupt does not wait for a line.
	go func() {
		r := bufio.NewReader(in)
		for {
			line, err := r.ReadString('\n')
			if err != nil && line == "" {
				q.errc <- err
				return
			}
			select {
			case q.lines <- strings.TrimSpace(line):
			case <-ctx.Done():
				return
			}
		}
	}()
	var a Answers
	fmt.Fprintln(out, "lifeboat init: a few questions; Enter takes the [default].")
	if err := q.providers(&a); err != nil {
		return Answers{}, err
	}
	if err := q.dns(&a); err != nil {
		return Answers{}, err
	}
	if err := q.services(&a); err != nil {
		return Answers{}, err
	}
	if err := a.Normalize(); err != nil {
		return Answers{}, err
	}
	return a, nil
}

func (q *asker) line() (string, error) {
	select {
	case <-q.ctx.Done():
		fmt.Fprintln(q.out)
		return "", context.Cause(q.ctx)
	case l := <-q.lines:
		return l, nil
	case err := <-q.errc:
		fmt.Fprintln(q.out)
		if errors.Is(err, io.EOF) {
			return "", ErrClosed
		}
		return "", fmt.Errorf("read an answer: %w", err)
	}
}

// ask asks prompt until check accepts the answer (def when empty); check
// may be nil. An empty answer with an empty default is returned as is.
func (q *asker) ask(prompt, def string, check func(string) error) (string, error) {
	for range maxTries {
		if def != "" {
			fmt.Fprintf(q.out, "%s [%s]: ", prompt, def)
		} else {
			fmt.Fprintf(q.out, "%s: ", prompt)
		}
		ans, err := q.line()
		if err != nil {
			return "", err
		}
		if ans == "" {
			ans = def
		}
		if check == nil {
			return ans, nil
		}
		if err := check(ans); err != nil {
			fmt.Fprintf(q.out, "    %s\n", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
			continue
		}
		return ans, nil
	}
	return "", fmt.Errorf("%w: %s: no usable answer after %d tries", ErrInvalid, prompt, maxTries)
}

// name asks for the n-th name of kind: required for the first, Enter ends
// the list after it.
func (q *asker) name(kind string, n int, def string, taken []string) (string, error) {
	prompt := fmt.Sprintf("  %s %d name", kind, n)
	if n > 1 {
		prompt += " (Enter when done)"
	}
	return q.ask(prompt, def, func(s string) error {
		if s == "" {
			if n == 1 {
				return fmt.Errorf("at least one %s is needed", kind)
			}
			return nil
		}
		if slices.Contains(taken, s) {
			return fmt.Errorf("%s %q is already given", kind, s)
		}
		return checkName(kind, s)
	})
}

func (q *asker) providers(a *Answers) error {
	fmt.Fprintln(q.out, "\nHosting providers, where the service runs: the primary first.")
	var names []string
	for i := range maxEach {
		name, err := q.name("provider", i+1, "", names)
		if err != nil || name == "" {
			return err
		}
		names = append(names, name)
		vendor, err := q.ask("    vendor", name, func(s string) error {
			if strings.ContainsAny(s, "\"\\\n") {
				return errors.New("a vendor name has no quotes or backslashes")
			}
			return nil
		})
		if err != nil {
			return err
		}
		standby, err := q.ask("    standby: active, warm or cold", defaultStandby(i), func(s string) error {
			if !slices.Contains(standbys, s) {
				return fmt.Errorf("want active, warm or cold")
			}
			return nil
		})
		if err != nil {
			return err
		}
		a.Providers = append(a.Providers, Provider{Name: name, Vendor: vendor, Standby: standby})
	}
	return nil
}

func (q *asker) dns(a *Answers) error {
	fmt.Fprintf(q.out, "\nDNS providers serving the zone. Types: %s.\n", strings.Join(DNSTypes(), ", "))
	var names []string
	for i := range maxEach {
		name, err := q.name("dns", i+1, "", names)
		if err != nil || name == "" {
			return err
		}
		names = append(names, name)
		def := ""
		if slices.Contains(DNSTypes(), name) {
			def = name
		}
		typ, err := q.ask("    type", def, func(s string) error {
			if !slices.Contains(DNSTypes(), s) {
				return fmt.Errorf("want one of %s", strings.Join(DNSTypes(), ", "))
			}
			return nil
		})
		if err != nil {
			return err
		}
		zone, err := q.ask("    zone, such as example.com", "", func(s string) error {
			_, err := normalizeZone(s)
			return err
		})
		if err != nil {
			return err
		}
		vendor, err := q.ask("    vendor", defaultDNSVendor(typ), func(s string) error {
			if strings.ContainsAny(s, "\"\\\n") {
				return errors.New("a vendor name has no quotes or backslashes")
			}
			return nil
		})
		if err != nil {
			return err
		}
		d := DNS{Name: name, Type: typ, Zone: zone, Vendor: vendor, Settings: map[string]string{}}
		for _, s := range plainSettings[typ] {
			v, err := q.ask("    "+s.key+" ("+s.help+")", s.example, func(v string) error {
				if strings.ContainsAny(v, "\"\\\n") {
					return errors.New("no quotes or backslashes")
				}
				return nil
			})
			if err != nil {
				return err
			}
			d.Settings[s.key] = v
		}
		if sec := secretKeys(typ); len(sec) > 0 {
			var envs []string
			for _, k := range sec {
				envs = append(envs, envName(name, k))
			}
			fmt.Fprintf(q.out, "    its secrets are read from the environment: %s\n", strings.Join(envs, ", "))
		}
		a.DNS = append(a.DNS, d)
	}
	return nil
}

func (q *asker) services(a *Answers) error {
	fmt.Fprintln(q.out, "\nServices: the names lifeboat keeps pointed at a healthy provider.")
	var providers []string
	for _, p := range a.Providers {
		providers = append(providers, p.Name)
	}
	var names []string
	for i := range maxEach {
		def := ""
		if i == 0 {
			def = "www"
		}
		name, err := q.name("service", i+1, def, names)
		if err != nil || name == "" {
			return err
		}
		if name == "sync" {
			fmt.Fprintln(q.out, `    the name "sync" is reserved`)
			continue
		}
		names = append(names, name)
		s := Service{Name: name}
		recs, err := q.ask("    records, comma-separated (@ is the apex)", name, func(v string) error {
			return (&Service{Name: name, Records: SplitList(v), Candidates: providers, CheckPath: "/"}).check(providers)
		})
		if err != nil {
			return err
		}
		s.Records = SplitList(recs)
		cands, err := q.ask("    candidates in order, comma-separated", strings.Join(providers, ","), func(v string) error {
			return (&Service{Name: name, Records: s.Records, Candidates: SplitList(v), CheckPath: "/"}).check(providers)
		})
		if err != nil {
			return err
		}
		s.Candidates = SplitList(cands)
		s.CheckPath, err = q.ask("    health check path", "/", func(v string) error {
			return (&Service{Name: name, Records: s.Records, Candidates: s.Candidates, CheckPath: v}).check(providers)
		})
		if err != nil {
			return err
		}
		a.Services = append(a.Services, s)
	}
	return nil
}

// check runs Normalize's checks of one service against the providers.
func (s *Service) check(providers []string) error {
	a := Answers{DNS: []DNS{{Name: "x", Type: "cloudflare", Zone: "example.com"}}, Services: []Service{*s}}
	if len(s.Records) == 0 {
		return errors.New("at least one record is needed")
	}
	if len(s.Candidates) == 0 {
		return errors.New("at least one candidate is needed")
	}
	for i, p := range providers {
		a.Providers = append(a.Providers, Provider{Name: p, Standby: defaultStandby(i)})
	}
	return a.Normalize()
}
