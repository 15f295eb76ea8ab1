package datafresh

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Postgres measures one PostgreSQL server, primary or replica, through a
// DSN (a URL or key=value form; it may hold a password, which never
// reaches an error).
type Postgres struct {
	DSN string
}

// measureSQL asks everything in one round trip. CASE evaluates only the
// branch it takes, so pg_current_wal_lsn() (an error in recovery) is not
// called at a replica.
const measureSQL = `SELECT pg_is_in_recovery(),
	current_setting('default_transaction_read_only') = 'on',
	CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END,
	pg_last_wal_receive_lsn()::text,
	EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8,
	(SELECT timeline_id FROM pg_control_checkpoint())`

// Measure connects, asks, and disconnects, all under ctx, which must
// carry a deadline (else the measurement fails with ErrNoDeadline). A
// failure is returned in Measurement.Err (with the DSN and its password
// hidden): the freshness there is unknown.
func (p Postgres) Measure(ctx context.Context) Measurement {
	m := Measurement{At: time.Now()}
	if _, ok := ctx.Deadline(); !ok {
		m.Err = ErrNoDeadline
		return m
	}
	red := redactor(p.DSN)
	cfg, err := pgx.ParseConfig(p.DSN)
	if err != nil {
		m.Err = red.Error(fmt.Errorf("datafresh: postgres DSN: %w", err))
		return m
	}
	red = redact.Strict(p.DSN, cfg.Password)
	// One statement, no parameters: the simple protocol saves the
	// prepare round trip.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "lifeboat"

	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		m.Err = red.Error(fmt.Errorf("datafresh: postgres connect: %w", err))
		return m
	}
	defer func() {
		// A goodbye even when ctx has expired, but a bounded one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()

	var (
		readOnly      bool
		lsn, received *string
		lagSeconds    *float64
		inRecovery    bool
		timeline      *int32
	)
	if err := conn.QueryRow(ctx, measureSQL).Scan(&inRecovery, &readOnly, &lsn, &received, &lagSeconds, &timeline); err != nil {
		m.Err = red.Error(fmt.Errorf("datafresh: postgres measure: %w", err))
		return m
	}
	m = measurement(m.At, inRecovery, readOnly, lsn, received, lagSeconds)
	if timeline != nil && *timeline > 0 {
		m.Timeline = uint32(*timeline)
	}
	return m
}

// measurement reads the query's row; NULLs are nil.
func measurement(at time.Time, inRecovery, readOnly bool, lsn, received *string, lagSeconds *float64) Measurement {
	m := Measurement{At: at, InRecovery: inRecovery, Writable: !inRecovery && !readOnly}
	var err error
	if lsn != nil {
		if m.LSN, err = ParseLSN(*lsn); err != nil {
			m.Err = err
			return m
		}
	}
	if received != nil {
		if m.ReceivedLSN, err = ParseLSN(*received); err != nil {
			m.Err = err
			return m
		}
	}
	if !inRecovery {
		return m
	}
	m.Pending = m.ReceivedLSN > m.LSN
	switch {
	case !m.Pending:
		// The replay timestamp keeps ageing on an idle primary: with
		// nothing pending the replica is as fresh as what it received.
		m.Lag, m.LagKnown = 0, true
	case lagSeconds != nil:
		m.Lag, m.LagKnown = max(0, time.Duration(*lagSeconds*float64(time.Second))), true
	}
	return m
}

// redactor hides the DSN whole and, when it is a URL, its password, for
// errors raised before the DSN is parsed.
func redactor(dsn string) *redact.Redactor {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			return redact.Strict(dsn, pw)
		}
	}
	return redact.Strict(dsn)
}

// MeasureAll measures every source at once, at most limit at a time
// (limit < 1 means one at a time), each under ctx, and returns the
// measurements in the order of sources.
func MeasureAll(ctx context.Context, sources []Postgres, limit int) []Measurement {
	out := make([]Measurement, len(sources))
	limit = max(limit, 1)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, s := range sources {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = s.Measure(ctx)
		})
	}
	wg.Wait()
	return out
}
