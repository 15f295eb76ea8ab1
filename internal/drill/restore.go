package drill

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lifeboat-dev/lifeboat/internal/childproc"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Backups is where a service's backups live; the engine adapts
// internal/backup's store to it.
type Backups interface {
	// Newest names the newest backup and when it was written. With no
	// backup at all it returns an error wrapping ErrNoBackup (or an
	// empty name).
	Newest(ctx context.Context) (name string, modified time.Time, err error)
	// Fetch writes the backup's bytes to w.
	Fetch(ctx context.Context, name string, w io.Writer) error
}

// ErrNoBackup: the service's backup location holds no backup.
var ErrNoBackup = errors.New("no backup found")

// ErrNoRowsReturned: the restore drill's query found nothing in the
// restored database.
var ErrNoRowsReturned = errors.New("query returned no rows")

// ErrNoPgRestore: pg_restore is not installed where the drill looks.
var ErrNoPgRestore = errors.New("pg_restore not found")

// ErrBackupTooLarge: the backup is larger than RestoreSpec.MaxBytes.
var ErrBackupTooLarge = errors.New("backup larger than the restore drill's bound")

// ErrRestoreTimeout: the restore did not finish within its timeout.
var ErrRestoreTimeout = errors.New("restore timed out")

// DropTimeout bounds the scratch database's drop, which runs with a fresh
// context whatever became of the drill's.
const DropTimeout = 30 * time.Second

// MaxQueryRows bounds how many rows of the query are counted.
const MaxQueryRows = 100_000

// stderrLines and stderrBytes bound what a failed restore quotes of its
// output.
const (
	stderrLines = 5
	stderrBytes = 8 << 10
)

// RestoreSpec is what a restore drill restores, where, and how it checks
// the result. It moves nothing: no DNS, no apply.
type RestoreSpec struct {
	Backups Backups
	// BackupBlock names the backup block, for the report.
	BackupBlock string
	// DSN is the server the scratch database is created on (a user that
	// may CREATE DATABASE); it may hold a password, which never reaches
	// the report, the logs or a command line.
	DSN string
	// Command replaces pg_restore. It runs with the base environment
	// (config.BaseEnv), LIFEBOAT_BACKUP_FILE (the fetched dump),
	// LIFEBOAT_RESTORE_DSN (the scratch database, without password) and
	// PGPASSWORD (when the DSN has one).
	Command []string
	// Dir resolves a relative Command path (./restore.sh): the
	// configuration's directory.
	Dir string
	// PgRestore is pg_restore's path; default looked up in PATH.
	PgRestore string
	// Query must return at least one row in the restored database.
	Query string
	// Timeout bounds fetch, restore, query and checks; default
	// config.DefaultRestoreTimeout. The drop has its own DropTimeout.
	Timeout time.Duration
	// MaxBytes bounds the fetched backup; 0 means no bound but the temp
	// directory's free space.
	MaxBytes int64
	// TempDir is where the private directory holding the dump is made;
	// default os.TempDir().
	TempDir string
	// Addresses are the target's addresses: with Env.Checker set, the
	// service's checks run against them once. None: no checks step.
	Addresses []string
}

// restoreDrill restores the newest backup into a scratch database at the
// restore DSN, runs the query there and the service's checks at the
// target, then always drops the scratch database.
func restoreDrill(ctx context.Context, r *run, spec Spec, env Env) {
	rs := spec.Restore
	rr := r.rep.Restore
	rr.BackupBlock = rs.BackupBlock
	prefix := spec.Service + "/"
	if spec.Target != "" {
		prefix += spec.Target + "/"
	}
	name := func(s string) string { return prefix + "restore-" + s }

	// The DSN and its password are hidden from every text of the report,
	// on top of the engine's redaction. (The scratch connection string
	// given to pg_restore holds no password.)
	cfg, perr := pgx.ParseConfig(rs.DSN)
	password := ""
	if perr == nil {
		password = cfg.Password
	}
	red := redact.Strict(nonEmpty(rs.DSN, password)...)
	outer := r.redact
	r.redact = func(s string) string { return outer(red.String(s)) }
	defer func() { r.redact = outer }()

	timeout := rs.Timeout
	if timeout <= 0 {
		timeout = config.DefaultRestoreTimeout
	}
	rctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("%w after %s (restore.timeout)", ErrRestoreTimeout, timeout))
	defer cancel()
	// A step cut by the timeout says so, not "context deadline exceeded".
	step := func(n string, fn func(context.Context) (string, error)) error {
		return r.step(rctx, n, func(ctx context.Context) (string, error) {
			d, err := fn(ctx)
			if err != nil && ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrRestoreTimeout) {
				err = context.Cause(ctx)
			}
			return d, err
		})
	}

	var (
		backup  string
		dir     string
		file    string
		scratch string
		created bool // CREATE DATABASE was sent: it may exist
	)
	err := step(name("newest-backup"), func(ctx context.Context) (string, error) {
		if rs.Backups == nil {
			return "", errors.New("no backup location to restore from")
		}
		n, mod, err := rs.Backups.Newest(ctx)
		if errors.Is(err, ErrNoBackup) || err == nil && n == "" {
			return "", ErrNoBackup
		}
		if err != nil {
			return "", fmt.Errorf("find the newest backup: %w", err)
		}
		backup = n
		rr.Backup, rr.BackupModified = n, mod
		rr.BackupAge = max(0, r.rep.Started.Sub(mod))
		return fmt.Sprintf("%s, written %s, %s old", n, mod.UTC().Format(time.RFC3339), rr.BackupAge.Round(time.Second)), nil
	})
	if err == nil && (perr != nil || strings.TrimSpace(rs.DSN) == "") {
		// pgx quotes the DSN in its parse errors: not wrapped.
		err = errors.New("the restore DSN does not parse as a PostgreSQL connection string")
		if strings.TrimSpace(rs.DSN) == "" {
			err = errors.New("no restore DSN: where the scratch database is created")
		}
	}
	if err == nil {
		err = step(name("fetch"), func(ctx context.Context) (string, error) {
			var n int64
			var err error
			dir, file, n, err = fetchBackup(ctx, rs, backup)
			rr.BackupSize = n
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d bytes into a private temporary file", n), nil
		})
	}
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err == nil {
		// Named for when its drill is over at the latest, so a drill that
		// finds it later, this one cut short, knows it may go.
		deadline := r.now().Add(timeout)
		if d, ok := rctx.Deadline(); ok {
			deadline = d
		}
		scratch, err = scratchName(deadline.Add(DropTimeout))
	}
	if err == nil {
		sweepLeftovers(rctx, r, cfg, name("sweep"), rr)
	}
	if err == nil {
		rr.Database = scratch
		err = step(name("create-database"), func(ctx context.Context) (string, error) {
			var err error
			created, err = createDatabase(ctx, cfg, scratch)
			return "created " + scratch + " (from template0, empty)", err
		})
	}
	if err == nil {
		err = step(name("restore"), func(ctx context.Context) (string, error) {
			started := r.now()
			how, err := runRestore(ctx, rs, cfg, password, file, scratch, red)
			rr.RestoreTime = r.now().Sub(started)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s restored %s in %s", how, backup, rr.RestoreTime.Round(time.Millisecond)), nil
		})
	}
	if err == nil {
		err = step(name("query"), func(ctx context.Context) (string, error) {
			n, err := countRows(ctx, cfg, scratch, rs.Query)
			rr.QueryRows = n
			if err != nil {
				return "", err
			}
			if n >= MaxQueryRows {
				return fmt.Sprintf("the query returned at least %d rows", n), nil
			}
			return fmt.Sprintf("the query returned %d row(s)", n), nil
		})
	}
	if err == nil && env.Checker != nil && len(rs.Addresses) > 0 {
		err = step(name("checks"), func(ctx context.Context) (string, error) {
			ok, reason, err := env.Checker.CheckService(ctx, spec.Service, rs.Addresses)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("checks fail on %s: %s", strings.Join(rs.Addresses, ", "), reason)
			}
			return "checks pass on " + strings.Join(rs.Addresses, ", "), nil
		})
	}
	if err != nil && !r.aborted(ctx) {
		r.fail(err.Error())
	}

	// The scratch database never outlives the drill: a fresh, bounded
	// context, whatever became of the drill's.
	if created {
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), DropTimeout)
		defer dcancel()
		derr := r.step(dctx, name("drop-database"), func(ctx context.Context) (string, error) {
			if err := dropDatabase(ctx, cfg, scratch); err != nil {
				return "", err
			}
			rr.Dropped = true
			return "dropped " + scratch + "; it no longer exists", nil
		})
		if derr != nil {
			r.fail(derr.Error())
			r.left("scratch database " + scratch + " may still exist: " + derr.Error())
		}
	}
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// scratchName is lifeboat_restore_, the Unix second by which the drill
// is over (its timeout and the drop's), and 8 random hex digits: unique
// per drill, recognisable as the drill's by name, and known to be left
// over once that second is past.
func scratchName(over time.Time) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scratch database name: %w", err)
	}
	return fmt.Sprintf("lifeboat_restore_%d_%s", over.Unix(), hex.EncodeToString(b[:])), nil
}

// LeftoverMargin is how long past the end named in it a scratch database
// is kept before another drill drops it: the lifeboat nodes that named it
// and that judge it may not share a clock.
const LeftoverMargin = 10 * time.Minute

var scratchPattern = regexp.MustCompile(`^lifeboat_restore_([0-9]{1,12})_[0-9a-f]{8}$`)

// leftovers lists the scratch databases on cfg's server that a drill
// killed before its drop left behind: the end in the name (plus
// LeftoverMargin) is past and no session is connected. Any other
// database, an older name without an end included, is never listed.
func leftovers(ctx context.Context, cfg *pgx.ConnConfig, now time.Time) ([]string, error) {
	conn, err := connect(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	defer closeConn(ctx, conn)
	rows, err := conn.Query(ctx, `SELECT d.datname FROM pg_database d
		WHERE d.datname LIKE 'lifeboat\_restore\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
		ORDER BY d.datname`)
	if err != nil {
		return nil, fmt.Errorf("list scratch databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list scratch databases: %w", err)
	}
	var out []string
	for _, n := range names {
		m := scratchPattern.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		sec, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && time.Unix(sec, 0).Add(LeftoverMargin).Before(now) {
			out = append(out, n)
		}
	}
	return out, nil
}

// sweepLeftovers drops what leftovers finds, as a step of its own when
// there is something: a database restored from a backup holds the
// production data, and must not linger on the restore server. A failure
// here is reported in the step, never the drill's.
func sweepLeftovers(ctx context.Context, r *run, cfg *pgx.ConnConfig, step string, rr *RestoreReport) {
	stale, err := leftovers(ctx, cfg, r.now())
	if err != nil || len(stale) == 0 {
		return // the create step that follows says what is wrong with the server
	}
	_ = r.step(ctx, step, func(ctx context.Context) (string, error) {
		var errs []error
		for _, db := range stale {
			if err := dropDatabase(ctx, cfg, db); err != nil {
				errs = append(errs, err)
				continue
			}
			rr.Swept = append(rr.Swept, db)
		}
		if len(errs) > 0 {
			return "", fmt.Errorf("dropped %d of %d scratch database(s) left by restore drills cut short: %w", len(rr.Swept), len(stale), errors.Join(errs...))
		}
		return fmt.Sprintf("dropped %d scratch database(s) left by restore drills cut short: %s", len(rr.Swept), strings.Join(rr.Swept, ", ")), nil
	})
}

// fetchBackup writes the backup to a 0600 file in a fresh 0700 directory;
// the caller removes the directory whatever happens.
func fetchBackup(ctx context.Context, rs *RestoreSpec, name string) (dir, file string, n int64, err error) {
	dir, err = os.MkdirTemp(rs.TempDir, "lifeboat-restore-")
	if err != nil {
		return "", "", 0, fmt.Errorf("temporary directory: %w", err)
	}
	file = filepath.Join(dir, "backup")
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return dir, "", 0, fmt.Errorf("temporary file: %w", err)
	}
	w := &boundedWriter{w: f, max: rs.MaxBytes}
	err = rs.Backups.Fetch(ctx, name, w)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("temporary file: %w", cerr)
	}
	if err != nil {
		return dir, file, w.n, fmt.Errorf("fetch %s: %w", name, err)
	}
	if w.n == 0 {
		return dir, file, 0, fmt.Errorf("fetch %s: the backup is empty", name)
	}
	return dir, file, w.n, nil
}

// boundedWriter counts, and refuses to write past max (when max > 0).
type boundedWriter struct {
	w   io.Writer
	n   int64
	max int64
}

func (b *boundedWriter) Write(p []byte) (int, error) {
	if b.max > 0 && b.n+int64(len(p)) > b.max {
		return 0, fmt.Errorf("%w (%d bytes)", ErrBackupTooLarge, b.max)
	}
	n, err := b.w.Write(p)
	b.n += int64(n)
	return n, err
}

// connect opens a connection to cfg's server, to database db (cfg's own
// when empty).
func connect(ctx context.Context, cfg *pgx.ConnConfig, db string) (*pgx.Conn, error) {
	c := cfg.Copy()
	if db != "" {
		c.Database = db
	}
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	c.RuntimeParams["application_name"] = "lifeboat restore drill"
	conn, err := pgx.ConnectConfig(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

func closeConn(ctx context.Context, conn *pgx.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	conn.Close(cctx)
}

// createDatabase creates db from template0, as pg_dump's documentation
// asks: objects added to template1 would collide with the dump's.
// sent reports whether the statement reached the server (db may exist).
func createDatabase(ctx context.Context, cfg *pgx.ConnConfig, db string) (sent bool, err error) {
	conn, err := connect(ctx, cfg, "")
	if err != nil {
		return false, err
	}
	defer closeConn(ctx, conn)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()+" TEMPLATE template0"); err != nil {
		return true, fmt.Errorf("create database %s: %w", db, err)
	}
	return true, nil
}

// dropDatabase drops db, its sessions ended (FORCE), and proves it gone.
func dropDatabase(ctx context.Context, cfg *pgx.ConnConfig, db string) error {
	conn, err := connect(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", db, err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", db).Scan(&n); err != nil {
		return fmt.Errorf("check database %s is gone: %w", db, err)
	}
	if n != 0 {
		return fmt.Errorf("database %s still exists after DROP DATABASE", db)
	}
	return nil
}

// countRows runs q in db and counts its rows, up to MaxQueryRows.
func countRows(ctx context.Context, cfg *pgx.ConnConfig, db, q string) (int64, error) {
	if strings.TrimSpace(q) == "" {
		return 0, errors.New("no query to check the restored database with")
	}
	conn, err := connect(ctx, cfg, db)
	if err != nil {
		return 0, err
	}
	defer closeConn(ctx, conn)
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var n int64
	for n < MaxQueryRows && rows.Next() {
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("query: %w", err)
	}
	if n == 0 {
		return 0, ErrNoRowsReturned
	}
	return n, nil
}

// runRestore restores file into db with pg_restore, or with the
// configured command. The scratch connection string on the command line
// (or in LIFEBOAT_RESTORE_DSN) holds no password: it is in PGPASSWORD,
// which only the same user (and root) can read of a process.
func runRestore(ctx context.Context, rs *RestoreSpec, cfg *pgx.ConnConfig, password, file, db string, red *redact.Redactor) (string, error) {
	conninfo, err := scratchConninfo(rs.DSN, db)
	if err != nil {
		return "", err
	}
	env := config.ChildEnv(os.Environ(), config.BaseEnv)
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	env = append(env, "PGAPPNAME=lifeboat restore drill")
	var argv []string
	how := "pg_restore"
	_, dir := childproc.Resolve(nil, rs.Dir)
	if len(rs.Command) > 0 {
		argv, _ = childproc.Resolve(rs.Command, rs.Dir)
		how = "restore.command " + filepath.Base(argv[0])
		env = append(env, "LIFEBOAT_BACKUP_FILE="+file, "LIFEBOAT_RESTORE_DSN="+conninfo)
	} else {
		bin := rs.PgRestore
		if bin == "" {
			var err error
			if bin, err = exec.LookPath("pg_restore"); err != nil {
				return "", fmt.Errorf("%w in PATH: install the PostgreSQL client tools (the server's major version or newer), or set restore.command in the drill", ErrNoPgRestore)
			}
		} else if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%w at %s: install the PostgreSQL client tools, or set restore.command in the drill", ErrNoPgRestore, bin)
		}
		argv = []string{bin, "--no-owner", "--no-privileges", "--exit-on-error", "--dbname=" + conninfo, file}
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	out := &childproc.Capped{Max: stderrBytes}
	cmd.Stderr = out
	if len(rs.Command) > 0 {
		cmd.Stdout = out
	}
	// Its own process group, killed whole on timeout or abort: a script's
	// children must not go on restoring into a database being dropped.
	childproc.Group(cmd, 2*time.Second)
	err = cmd.Run()
	if childproc.Succeeded(cmd, err) {
		return how, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("%s stopped: %w", how, ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "", fmt.Errorf("%s failed (%s)%s", how, ee.ProcessState, firstLines(red.String(out.String())))
	}
	return "", fmt.Errorf("%s: cannot run: %s", how, red.String(err.Error()))
}

// firstLines is ": " and the first non-empty lines of out, bounded.
func firstLines(out string) string {
	var keep []string
	for l := range strings.Lines(out) {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		keep = append(keep, l)
		if len(keep) == stderrLines {
			break
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return ": " + strings.Join(keep, " | ")
}
