package datafresh

import (
	"cmp"
	"context"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/childproc"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// DefaultLimit bounds the measurements of a round in flight: an
// operation's round, which should be quick.
const DefaultLimit = 16

// BackgroundLimit bounds the measurements in flight of the daemon's
// periodic round: half the CPUs, at least one. A PostgreSQL login costs
// the client a password hash; sixteen at once on two cores delay the
// health checks (see health's BenchmarkChecksWithDataRound), one or two
// do not.
func BackgroundLimit() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// defaultTimeout bounds one measurement when neither the round nor the
// policy says (a hand-built configuration).
const defaultTimeout = 3 * time.Second

// Key names one measurement: a service's data block at a provider.
type Key struct{ Service, Data, Provider string }

// Reading is one measurement of a round and its verdict.
type Reading struct {
	Key
	Kind        string // "postgres", "http" or "exec"
	Measurement Measurement
	Verdict     Verdict
}

// RoundOptions tune a Round.
type RoundOptions struct {
	// Service limits the round to one service; "" is every service.
	Service string
	// Positions are the primaries' WAL positions last seen, keyed
	// PositionKey(service, data); read, never written.
	Positions map[string]LSN
	// Limit bounds the measurements in flight; default DefaultLimit.
	Limit int
	// Timeout bounds one measurement; default the policy's timeout.
	Timeout time.Duration
	// Addresses gives a provider's host addresses for LIFEBOAT_ADDRESSES
	// (the workspace outputs, which only the caller knows); nil or an
	// empty answer is the provider's configured addresses.
	Addresses func(provider string) []string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// PositionKey keys a data block's primary position in
// RoundOptions.Positions and PrimaryPositions.
func PositionKey(service, data string) string { return service + "/" + data }

// Round measures every data block of the configuration (of one service
// when opts.Service is set) at every provider it names, at most
// opts.Limit at a time, each under its own timeout within ctx, and
// returns the readings sorted by service, data and provider.
//
// A postgres replica is compared with the larger of the remembered
// primary position and the position of a writable primary measured in
// this round. As the measurements run at once, a replica that looks
// behind this round's primary is measured once more, after it: on a busy
// primary a healthy replica is a few bytes behind at any instant, and is
// stale only if it has not caught up by then.
//
// With no RPO set (0), a postgres replica is judged by its distance
// alone and an http or exec source is fresh at any age.
//
// Every error text is redacted with cfg.Redact (the values of env() and
// file()) and the source's own secrets (a DSN, an exec env value).
func Round(ctx context.Context, cfg *config.Config, opts RoundOptions) []Reading {
	r := newRound(cfg, opts)
	var jobs []*job
	for _, svc := range cfg.Services {
		if opts.Service != "" && svc.Name != opts.Service {
			continue
		}
		for _, d := range svc.Data {
			jobs = append(jobs, r.jobs(svc, d)...)
		}
	}
	slices.SortFunc(jobs, func(a, b *job) int { return compareKeys(a.reading.Key, b.reading.Key) })
	// Services sharing a database server through one DSN cost one
	// connection, not one each.
	first := map[string]*job{}
	for _, j := range jobs {
		if j.dsn == "" {
			continue
		}
		if f, ok := first[j.dsn]; ok {
			j.same = f
		} else {
			first[j.dsn] = j
		}
	}
	r.run(ctx, jobs)

	// This round's writable primaries, and a second look at the replicas
	// behind them.
	primaries := PrimaryPositions(readings(jobs))
	var again []*job
	for _, j := range jobs {
		m := j.reading.Measurement
		if j.reading.Kind == "postgres" && m.Err == nil && m.InRecovery &&
			m.LSN < primaries[PositionKey(j.reading.Service, j.reading.Data)] {
			again = append(again, j)
		}
	}
	r.run(ctx, again)

	out := make([]Reading, len(jobs))
	for i, j := range jobs {
		rd := j.reading
		rpo := j.rpo
		switch rd.Kind {
		case "postgres":
			key := PositionKey(rd.Service, rd.Data)
			last := max(opts.Positions[key], primaries[key])
			if rpo == 0 {
				rpo = math.MaxInt64
			}
			rd.Verdict = Fresh(rd.Measurement, last, rpo)
		default:
			rd.Verdict = FreshByAge(rd.Measurement, rpo)
		}
		out[i] = rd
	}
	return out
}

// job is one reading to take.
type job struct {
	reading Reading
	rpo     time.Duration
	measure func(context.Context) Measurement
	hide    func(string) string // the source's own secrets
	dsn     string              // a postgres job's DSN
	// same is the job measuring the same database (the same DSN) in this
	// round, whose measurement this one shares; nil for the first.
	same *job
}

type round struct {
	cfg       *config.Config
	limit     int
	timeout   time.Duration
	now       func() time.Time
	addresses func(string) []string
	environ   []string
	dir       string
}

func newRound(cfg *config.Config, opts RoundOptions) *round {
	r := &round{cfg: cfg, limit: opts.Limit, timeout: opts.Timeout, now: opts.Now, addresses: opts.Addresses}
	if r.limit < 1 {
		r.limit = DefaultLimit
	}
	if r.timeout <= 0 {
		r.timeout = cmp.Or(cfg.Policy.Timeout, defaultTimeout)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if cfg.Dir != "" {
		if abs, err := filepath.Abs(cfg.Dir); err == nil {
			r.dir = abs
		}
	}
	return r
}

// jobs are a data block's measurements, one per provider.
func (r *round) jobs(svc *config.Service, d *config.Data) []*job {
	mk := func(kind, provider string, measure func(context.Context) Measurement, hide func(string) string) *job {
		return &job{reading: Reading{Key: Key{svc.Name, d.Name, provider}, Kind: kind},
			rpo: svc.RPO, measure: measure, hide: hide}
	}
	var out []*job
	switch {
	case d.Postgres != nil:
		for p, dsn := range d.Postgres.DSN {
			// Measure hides the DSN and its password from its errors.
			j := mk("postgres", p, Postgres{DSN: dsn}.Measure, nil)
			j.dsn = dsn
			out = append(out, j)
		}
	case d.HTTP != nil:
		for p, u := range d.HTTP.URL {
			h := HTTP{URL: u, JSONField: d.HTTP.JSONField, Header: d.HTTP.Header, Headers: d.HTTP.Headers, Now: r.now}
			out = append(out, mk("http", p, h.Measure, urlRedactor(u, d.HTTP.Headers)))
		}
	case d.Exec != nil:
		providers := d.Exec.Providers
		if len(providers) == 0 {
			providers = svc.Candidates
		}
		values := make([]string, 0, len(d.Exec.Env))
		for _, v := range d.Exec.Env {
			values = append(values, v)
		}
		hide := redact.New(values...).String
		for _, p := range providers {
			out = append(out, mk("exec", p, r.exec(svc, d, p).Measure, hide))
		}
	}
	return out
}

// exec builds a command's run at one provider. Its environment is what an
// exec check gets (config.BaseEnv and its pass_env from lifeboat's
// environment, then its env), and the LIFEBOAT_* variables naming what is
// measured where.
func (r *round) exec(svc *config.Service, d *config.Data, provider string) Exec {
	x := d.Exec
	if r.environ == nil {
		r.environ = os.Environ()
	}
	env, _ := childproc.Env(r.environ, x.PassEnv, x.Env)
	var addrs []string
	if r.addresses != nil {
		addrs = r.addresses(provider)
	}
	if len(addrs) == 0 {
		for _, p := range r.cfg.Providers {
			if p.Name == provider {
				addrs = p.Addresses
			}
		}
	}
	env = append(env, "LIFEBOAT_SERVICE="+svc.Name, "LIFEBOAT_DATA="+d.Name,
		"LIFEBOAT_PROVIDER="+provider, "LIFEBOAT_ADDRESSES="+strings.Join(addrs, " "))
	argv, dir := childproc.Resolve(x.Command, r.dir)
	return Exec{Command: argv, Dir: dir, Env: env, Now: r.now}
}

// urlRedactor hides a URL's password and the request headers' values
// (tokens) from error texts.
func urlRedactor(u string, headers map[string]string) func(string) string {
	var vals []string
	if pu, err := url.Parse(u); err == nil && pu.User != nil {
		if pw, ok := pu.User.Password(); ok {
			vals = append(vals, pw)
		}
	}
	for _, v := range headers {
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return nil
	}
	return redact.New(vals...).String
}

// run takes the jobs' measurements, at most r.limit at a time; a job
// sharing another's database copies its measurement when that one is
// among jobs.
func (r *round) run(ctx context.Context, jobs []*job) {
	here := make(map[*job]bool, len(jobs))
	for _, j := range jobs {
		here[j] = true
	}
	copied := func(j *job) bool { return j.same != nil && here[j.same] }
	defer func() {
		for _, j := range jobs {
			if copied(j) {
				j.reading.Measurement = j.same.reading.Measurement
			}
		}
	}()
	sem := make(chan struct{}, r.limit)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if copied(j) {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			mctx, cancel := context.WithTimeout(ctx, r.timeout)
			defer cancel()
			m := j.measure(mctx)
			if m.Err != nil {
				text := m.Err.Error()
				if j.hide != nil {
					text = j.hide(text)
				}
				m.Err = &redactedError{text: r.cfg.Redact(text), err: m.Err}
			}
			j.reading.Measurement = m
		})
	}
	wg.Wait()
}

// redactedError is an error whose text has its secrets hidden; errors.Is
// still reaches the original (ErrNoDeadline, context.DeadlineExceeded).
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

func readings(jobs []*job) []Reading {
	out := make([]Reading, len(jobs))
	for i, j := range jobs {
		out[i] = j.reading
	}
	return out
}

func compareKeys(a, b Key) int {
	return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Data, b.Data),
		strings.Compare(a.Provider, b.Provider))
}

// PrimaryPositions are the WAL positions of the writable primaries among
// the readings (the largest per data block, should two take writes),
// keyed PositionKey: what the caller remembers for the next rounds, when
// a primary may be gone.
func PrimaryPositions(rs []Reading) map[string]LSN {
	out := map[string]LSN{}
	for _, rd := range rs {
		m := rd.Measurement
		if rd.Kind == "postgres" && m.Err == nil && m.Writable && !m.InRecovery {
			k := PositionKey(rd.Service, rd.Data)
			out[k] = max(out[k], m.LSN)
		}
	}
	return out
}
