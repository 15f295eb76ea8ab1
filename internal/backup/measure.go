package backup

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// measureParallel bounds how many backup places are listed at once: each
// listing is a few requests, and a large configuration must not open a
// connection per backup block all at the same moment.
const measureParallel = 4

// measureTimeout bounds one backup place's listing, within the caller's
// context, so one unreachable bucket does not hold up the report.
const measureTimeout = 60 * time.Second

// Status is how old one backup block's newest backup is.
type Status struct {
	Service, Backup, Vendor string
	// Newest is the newest backup; zero when Err is set.
	Newest Object
	// Age is now minus Newest.Modified (0 when the store's clock is ahead
	// of ours); 0 when Err is set.
	Age time.Duration
	// MaxAge is the service's backup_max_age (DefaultBackupMaxAge when 0).
	MaxAge time.Duration
	// Err says why the age is unknown; ErrNoBackup when there is none.
	// Its text never holds a secret.
	Err error
	// Over: the newest backup is older than MaxAge, or there is none
	// (ErrNoBackup). Any other error leaves Over false: the age is unknown,
	// and Err says why.
	Over bool
}

// Measure lists every backup block of service (all services when "") at
// once, at most measureParallel at a time, and returns their statuses
// sorted by service, then backup name. An unknown service yields nil.
func Measure(ctx context.Context, cfg *config.Config, service string, now time.Time) []Status {
	type job struct {
		svc *config.Service
		b   *config.Backup
	}
	var jobs []job
	for _, svc := range cfg.Services {
		if service != "" && svc.Name != service {
			continue
		}
		for _, b := range svc.Backups {
			jobs = append(jobs, job{svc, b})
		}
	}
	out := make([]Status, len(jobs))
	sem := make(chan struct{}, measureParallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = measureOne(ctx, cfg, j.svc, j.b, now)
		}()
	}
	wg.Wait()
	slices.SortStableFunc(out, func(a, b Status) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Backup, b.Backup))
	})
	return out
}

func measureOne(ctx context.Context, cfg *config.Config, svc *config.Service, b *config.Backup, now time.Time) Status {
	st := Status{Service: svc.Name, Backup: b.Name, Vendor: b.Vendor, MaxAge: svc.BackupMaxAge}
	if st.MaxAge <= 0 {
		st.MaxAge = config.DefaultBackupMaxAge
	}
	store, err := Open(b, cfg)
	if err != nil {
		st.Err = err
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, measureTimeout)
	defer cancel()
	newest, err := store.Newest(ctx)
	if err != nil {
		st.Err = err
		st.Over = errors.Is(err, ErrNoBackup)
		return st
	}
	st.Newest = newest
	st.Age = max(now.Sub(newest.Modified), 0)
	st.Over = st.Age > st.MaxAge
	return st
}
