package dnscutover

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/libdns/libdns"
)

// Cutover makes every record of req hold exactly req.Addresses at every
// target, all targets at once. A target that fails is retried with
// backoff (bounded by opts.Attempts and ctx) while the others proceed; its
// result says why it failed. Records not owned by req.Owner are left alone
// and reported with ErrNotOwned (not retried); the target's other records
// are still changed. Running it again with the same request changes
// nothing. Results are in the order of targets.
func Cutover(ctx context.Context, targets []Target, req Request, opts Options) []ProviderResult {
	return run(ctx, targets, req, opts, planZone, true)
}

// Release deletes the A and AAAA records of req.Records, and their
// ownership marks, at every target where req.Owner owns them: the teardown
// of a canary drill's record. Records someone else owns are reported with
// ErrNotOwned and left alone whatever req.Adopt says. req.Addresses is not used.
func Release(ctx context.Context, targets []Target, req Request, opts Options) []ProviderResult {
	return run(ctx, targets, req, opts, func(records []libdns.Record, req Request) (changes, []error) {
		return planEach(records, req, planRelease)
	}, false)
}

// planner computes the writes that bring a zone's records to a request.
type planner func(records []libdns.Record, req Request) (changes, []error)

func run(ctx context.Context, targets []Target, req Request, opts Options, plan planner, needAddresses bool) []ProviderResult {
	opts = opts.withDefaults()
	req, err := req.normalize(needAddresses)
	return parallel(ctx, targets, func(ctx context.Context, t Target) ProviderResult {
		if err != nil {
			return ProviderResult{Err: err}
		}
		return runOne(ctx, t, req, opts, plan)
	})
}

func runOne(ctx context.Context, t Target, req Request, opts Options, plan planner) ProviderResult {
	var res ProviderResult
	if t.Provider == nil || t.Zone == "" {
		res.Err = fmt.Errorf("%w: DNS provider %q has no provider or zone", ErrInvalidRequest, t.Name)
		return res
	}
	changed := map[string]bool{}
	res.Err = retry(ctx, opts, func(ctx context.Context) (bool, error) {
		res.Attempts++
		done, notOwned, err := attempt(ctx, t, req, plan, opts)
		for _, c := range done {
			changed[c] = true
		}
		var stop *stopError
		if errors.As(err, &stop) {
			return false, errors.Join(append(notOwned, stop.err)...)
		}
		if err != nil {
			opts.Logger.Warn("DNS change attempt failed", "dns", t.Name, "zone", t.Zone,
				"service", req.Service, "attempt", res.Attempts, "err", err)
			return true, errors.Join(append(notOwned, err)...)
		}
		return false, errors.Join(notOwned...)
	})
	for c := range changed {
		res.Changed = append(res.Changed, c)
	}
	slices.Sort(res.Changed)
	return res
}

// attempt reads the zone, writes what differs from req and reads the zone
// again to confirm: a provider's write calls report what they were given,
// not what the zone now holds. done lists the RRsets written, notOwned the
// records refused, and err a failure worth retrying.
func attempt(ctx context.Context, t Target, req Request, plan planner, opts Options) (done []string, notOwned []error, err error) {
	records, err := t.Provider.GetRecords(ctx, t.Zone)
	if err != nil {
		return nil, nil, fmt.Errorf("read zone %s: %w", t.Zone, err)
	}
	c, notOwned := plan(records, req)
	if opts.DryRun {
		return c.changed(), notOwned, nil
	}
	writes := []struct {
		what string
		g    group
		op   func(context.Context, string, []libdns.Record) ([]libdns.Record, error)
	}{
		{"write ownership records", c.owners, t.Provider.SetRecords},
		{"delete conflicting CNAME", c.clear, t.Provider.DeleteRecords},
		{"set addresses", c.set, t.Provider.SetRecords},
		{"delete stale addresses", c.drop, t.Provider.DeleteRecords},
		{"delete ownership records", c.unmark, t.Provider.DeleteRecords},
	}
	for _, w := range writes {
		if len(w.g.recs) == 0 {
			continue
		}
		// Before each write, not only the first: a writer paused between
		// its marks and its addresses may have been replaced meanwhile.
		if opts.BeforeWrite != nil {
			if err := opts.BeforeWrite(ctx); err != nil {
				return done, notOwned, &stopError{fmt.Errorf("before writing to %s: %w", t.Name, err)}
			}
		}
		if _, err := w.op(ctx, t.Zone, w.g.recs); err != nil {
			return done, notOwned, fmt.Errorf("%s %v: %w", w.what, w.g.names, err)
		}
		done = append(done, w.g.names...)
	}
	if len(done) == 0 {
		return nil, notOwned, nil
	}
	records, err = t.Provider.GetRecords(ctx, t.Zone)
	if err != nil {
		return done, notOwned, fmt.Errorf("read zone %s back: %w", t.Zone, err)
	}
	if left, _ := plan(records, req); len(left.changed()) > 0 {
		return done, notOwned, fmt.Errorf("provider accepted the changes but still holds old data for %v", left.changed())
	}
	return done, notOwned, nil
}

// stopError ends a provider's attempts at once: Options.BeforeWrite said
// this writer must not write.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// retry calls fn until it reports no retry, opts.Attempts is reached or
// ctx ends, waiting with exponential backoff and jitter in between. Each
// call gets opts.AttemptTimeout. It returns fn's last error.
func retry(ctx context.Context, opts Options, fn func(context.Context) (again bool, err error)) error {
	wait := opts.InitialBackoff
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, opts.AttemptTimeout)
		again, err := fn(actx)
		cancel()
		if !again || n >= opts.Attempts {
			return err
		}
		// Jitter (±25%) keeps several orchestrators, or several records,
		// from retrying a struggling API in lockstep.
		d := wait/4*3 + rand.N(wait/2+1)
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(err, ctx.Err())
		case <-timer.C:
		}
		wait = min(wait*2, opts.MaxBackoff)
	}
}
