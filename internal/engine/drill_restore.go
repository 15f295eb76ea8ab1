package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/backup"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/drill"
)

// drillTarget is where a drill of s rehearses: its target, or the first
// candidate the service does not run on.
func drillTarget(s *config.Service, d *config.Drill, current string) string {
	if d.Target != "" {
		return d.Target
	}
	for _, c := range s.Candidates {
		if c != current {
			return c
		}
	}
	return ""
}

// restoreSpec resolves a restore drill: the backup block's store, and the
// server the scratch database is made on (restore.dsn, else the data
// block's DSN at the target).
func (e *Engine) restoreSpec(s *config.Service, d *config.Drill, target string, pl Placement) (*drill.RestoreSpec, error) {
	r := d.Restore
	if r == nil {
		return nil, fmt.Errorf("drill %q has no restore settings", d.Name)
	}
	i := slices.IndexFunc(s.Backups, func(b *config.Backup) bool { return b.Name == r.Backup })
	if i < 0 {
		return nil, fmt.Errorf("service %q has no backup block %q", s.Name, r.Backup)
	}
	b := s.Backups[i]
	store, err := backup.Open(b, e.Cfg)
	if err != nil {
		return nil, fmt.Errorf("backup %q: %w", b.Name, err)
	}
	dsn := r.DSN
	if dsn == "" {
		for _, data := range s.Data {
			if data.Name == r.Data && data.Postgres != nil {
				dsn = data.Postgres.DSN[target]
			}
		}
	}
	if dsn == "" && len(r.Command) == 0 {
		return nil, fmt.Errorf("no database to restore into at %s: set restore.dsn", target)
	}
	// The service's checks run where something serves: the target when
	// the service runs there or it is an active standby. A warm or cold
	// standby is not brought up by a restore drill, so it has nothing to
	// check.
	addrs := pl.Addresses[s.Name]
	if pl.Provider[s.Name] != target {
		addrs = nil
		if p := e.Cfg.Provider(target); p != nil && (p.Standby == "" || p.Standby == config.StandbyActive) {
			addrs = p.Addresses
		}
	}
	return &drill.RestoreSpec{Backups: restoreBackups{store}, BackupBlock: b.Name, DSN: dsn, Command: r.Command,
		Dir: e.Cfg.Dir, Query: r.Query, Timeout: r.Timeout, Addresses: addrs}, nil
}

// restoreBackups adapts a backup store to what a drill reads.
type restoreBackups struct{ s backup.Store }

func (b restoreBackups) Newest(ctx context.Context) (string, time.Time, error) {
	o, err := b.s.Newest(ctx)
	if errors.Is(err, backup.ErrNoBackup) {
		return "", time.Time{}, fmt.Errorf("%w: %w", drill.ErrNoBackup, err)
	}
	return o.Name, o.Modified, err
}

func (b restoreBackups) Fetch(ctx context.Context, name string, w io.Writer) error {
	return b.s.Fetch(ctx, name, w)
}

// dataAt measures the service's data at provider now, for a drill's
// report: the worst of its data blocks there.
func (e *Engine) dataAt(ctx context.Context, service, provider string) (string, time.Duration, bool, string) {
	mctx, cancel := context.WithTimeout(ctx, 2*DataTimeout(e.Cfg))
	defer cancel()
	o, ok := datafresh.Observe(e.Cfg, e.measureFreshness(mctx, service, 0, time.Now()))[service][provider]
	if !ok {
		return "unknown", 0, false, "not measured at " + provider
	}
	return string(o.State), o.Age, o.AgeKnown, strings.TrimSpace(o.Reason)
}
