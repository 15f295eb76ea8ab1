package executor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// pgPoll is the pause between looks at a setting or a session list that
// changes asynchronously (a configuration reload, a backend exiting);
// every such wait is also bounded by the step's context.
const (
	pgPoll       = 20 * time.Millisecond
	pgPollRounds = 1500
)

// pgConnect connects to dsn under ctx; errors never hold the DSN or its
// password (red hides them from anything the caller adds).
func pgConnect(ctx context.Context, dsn string) (*pgx.Conn, *redact.Redactor, error) {
	red := dsnRedactor(dsn, urlPassword(dsn))
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx quotes the DSN (its password masked): keep only why.
		return nil, red, fmt.Errorf("postgres DSN does not parse: %s", red.String(parseReason(err)))
	}
	red = dsnRedactor(dsn, cfg.Password)
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "lifeboat"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, red, red.Error(fmt.Errorf("postgres connect: %w", err))
	}
	return conn, red, nil
}

// parseReason is a pgx parse error without the DSN it quotes.
func parseReason(err error) string {
	text := err.Error()
	if rest, ok := strings.CutPrefix(text, "cannot parse `"); ok {
		if i := strings.Index(rest, "`: "); i >= 0 {
			return rest[i+3:]
		}
		return "malformed"
	}
	return text
}

func urlPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		return pw
	}
	return ""
}

// pgClose says goodbye even when ctx has ended, within a second.
func pgClose(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = conn.Close(cctx)
}

type fenceResult struct {
	standby bool // in recovery: takes no writes already
	ended   int  // sessions terminated
}

// fencePostgres makes the server at dsn refuse writes, for sessions
// opened after the fence and before it:
//
//   - ALTER SYSTEM SET default_transaction_read_only = on, then
//     pg_reload_conf(): every transaction begun afterwards is read-only
//     (it survives a restart, in postgresql.auto.conf). The reload is
//     asynchronous, so it waits until its own session sees the setting:
//     the postmaster has then reloaded, and every session forked from
//     now on starts read-only.
//   - A session opened before may sit in a read-write transaction begun
//     before the reload, or have overridden the default with SET: the
//     setting alone would not stop its writes. So every other client
//     session is ended (pg_terminate_backend), in every database: the
//     setting is server-wide, and the DSN may name another database than
//     the application's. Their open transactions roll back; clients that
//     reconnect get read-only sessions. Replication (walsender) and
//     background processes are left alone, so a standby still receives
//     what was committed before the fence.
//
// What this does not stop is a client that asks for a read-write
// transaction explicitly (BEGIN READ WRITE, or SET
// default_transaction_read_only = off) after the fence: a fence against
// a careless application, not a hostile one; stop the old primary (a
// fence command) for that.
func fencePostgres(ctx context.Context, dsn string) (fenceResult, error) {
	conn, red, err := pgConnect(ctx, dsn)
	if err != nil {
		return fenceResult{}, err
	}
	defer pgClose(ctx, conn)
	wrap := func(what string, err error) error { return red.Error(fmt.Errorf("%s: %w", what, err)) }

	var inRecovery bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return fenceResult{}, wrap("postgres", err)
	}
	if inRecovery {
		return fenceResult{standby: true}, nil
	}
	if _, err := conn.Exec(ctx, "ALTER SYSTEM SET default_transaction_read_only = on"); err != nil {
		return fenceResult{}, wrap("ALTER SYSTEM SET default_transaction_read_only", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fenceResult{}, wrap("pg_reload_conf", err)
	}
	if err := pgWaitSetting(ctx, conn, "default_transaction_read_only", "on"); err != nil {
		return fenceResult{}, wrap("after the reload", err)
	}

	rows, err := conn.Query(ctx, `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err != nil {
		return fenceResult{}, wrap("ending the other sessions", err)
	}
	var pids []int32
	var refused int
	for rows.Next() {
		var pid int32
		var ok bool
		if err := rows.Scan(&pid, &ok); err != nil {
			rows.Close()
			return fenceResult{}, wrap("ending the other sessions", err)
		}
		if ok {
			pids = append(pids, pid)
		} else {
			refused++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fenceResult{}, wrap("ending the other sessions (new sessions are read-only)", err)
	}
	if refused > 0 {
		return fenceResult{}, fmt.Errorf("new sessions are read-only, but %d sessions opened before could not be ended and may still write", refused)
	}
	// pg_terminate_backend only signals: wait until they are gone, so
	// that when the step is done no transaction of theirs can commit.
	for round := 0; ; round++ {
		var left int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", pids).Scan(&left); err != nil {
			return fenceResult{}, wrap("waiting for the ended sessions", err)
		}
		if left == 0 {
			break
		}
		if round >= pgPollRounds {
			return fenceResult{}, fmt.Errorf("new sessions are read-only, but %d sessions opened before have not exited yet", left)
		}
		if err := sleepCtx(ctx, pgPoll); err != nil {
			return fenceResult{}, fmt.Errorf("new sessions are read-only, but %d sessions opened before have not exited yet: %w", left, err)
		}
	}
	return fenceResult{ended: len(pids)}, nil
}

// promotePostgres makes the server at dsn the primary: pg_promote() when
// it is in recovery, then a check that it left recovery; already true
// when it was not in recovery. Either way it must end up taking writes:
// a default_transaction_read_only = on left by an earlier fence (an old
// primary made a standby again, now failed back to) is reset.
func promotePostgres(ctx context.Context, dsn string) (already bool, err error) {
	conn, red, err := pgConnect(ctx, dsn)
	if err != nil {
		return false, err
	}
	defer pgClose(ctx, conn)
	wrap := func(what string, err error) error { return red.Error(fmt.Errorf("%s: %w", what, err)) }

	var inRecovery bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return false, wrap("postgres", err)
	}
	already = !inRecovery
	if inRecovery {
		var promoted bool
		q := fmt.Sprintf("SELECT pg_promote(true, %d)", promoteWaitSeconds)
		if err := conn.QueryRow(ctx, q).Scan(&promoted); err != nil {
			return false, wrap("pg_promote", err)
		}
		if !promoted {
			return false, fmt.Errorf("pg_promote: still in recovery after %d s", promoteWaitSeconds)
		}
		if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
			return false, wrap("after pg_promote", err)
		}
		if inRecovery {
			return false, errors.New("pg_promote returned but the database is still in recovery")
		}
	}
	var readOnly string
	if err := conn.QueryRow(ctx, "SELECT current_setting('default_transaction_read_only')").Scan(&readOnly); err != nil {
		return already, wrap("postgres", err)
	}
	if readOnly == "on" {
		if _, err := conn.Exec(ctx, "ALTER SYSTEM RESET default_transaction_read_only"); err != nil {
			return already, wrap("it is read-only by default (an earlier fence?) and ALTER SYSTEM RESET failed", err)
		}
		if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
			return already, wrap("pg_reload_conf", err)
		}
		if err := pgWaitSetting(ctx, conn, "default_transaction_read_only", "off"); err != nil {
			return already, wrap("it stays read-only by default (set in postgresql.conf?)", err)
		}
		// It did not take writes before: this run made it the primary.
		already = false
	}
	return already, nil
}

// pgWaitSetting waits until the session sees setting = want: a backend
// applies a configuration reload between statements, after the
// postmaster did.
func pgWaitSetting(ctx context.Context, conn *pgx.Conn, setting, want string) error {
	var got string
	for round := 0; round < pgPollRounds; round++ {
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			return err
		}
		if got == want {
			return nil
		}
		if err := sleepCtx(ctx, pgPoll); err != nil {
			return fmt.Errorf("%s is still %s: %w", setting, got, err)
		}
	}
	return fmt.Errorf("%s is still %s after %d looks", setting, got, pgPollRounds)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
