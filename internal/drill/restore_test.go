package drill

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// dirBackups is a backup location over a directory: the newest file by
// modification time is the newest backup.
type dirBackups struct {
	dir    string
	during func() // called as Fetch begins
}

func (d dirBackups) Newest(ctx context.Context) (string, time.Time, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return "", time.Time{}, err
	}
	name, mod := "", time.Time{}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			return "", time.Time{}, err
		}
		if fi.Mode().IsRegular() && fi.ModTime().After(mod) {
			name, mod = e.Name(), fi.ModTime()
		}
	}
	if name == "" {
		return "", time.Time{}, ErrNoBackup
	}
	return name, mod, nil
}

func (d dirBackups) Fetch(ctx context.Context, name string, w io.Writer) error {
	if d.during != nil {
		d.during()
	}
	f, err := os.Open(filepath.Join(d.dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// restoreWorld is one real PostgreSQL server holding a table, and a
// pg_dump -Fc of it in a backup directory, written two hours ago.
type restoreWorld struct {
	pg      *testharness.Postgres
	bin     string
	backups string // the directory
	dump    string // the dump's path in it
	written time.Time
}

func newRestoreWorld(t *testing.T) *restoreWorld {
	t.Helper()
	pg := testharness.StartPostgres(t)
	bin, _ := testharness.PostgresBin()
	pg.SQL(t, "CREATE TABLE boats (id int PRIMARY KEY, name text NOT NULL); INSERT INTO boats VALUES (1, 'dinghy'), (2, 'ketch'), (3, 'lifeboat')")
	w := &restoreWorld{pg: pg, bin: bin, backups: t.TempDir()}
	w.dump = filepath.Join(w.backups, "db-2026-12-07.dump")
	cmd := exec.Command(filepath.Join(bin, "pg_dump"), "-Fc", "-h", pg.Host, "-p", strings.TrimPrefix(pg.Addr(), pg.Host+":"),
		"-U", pg.User, "-d", "postgres", "-f", w.dump)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pg.Password)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	w.written = time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	if err := os.Chtimes(w.dump, w.written, w.written); err != nil {
		t.Fatal(err)
	}
	return w
}

// spec is a restore drill of the world's backup into its server.
func (w *restoreWorld) spec(t *testing.T) Spec {
	return Spec{Name: "nightly-restore", Mode: ModeRestore, Service: "www", Target: "bravo", Restore: &RestoreSpec{
		Backups: dirBackups{dir: w.backups}, BackupBlock: "nightly", DSN: w.pg.DSN(),
		PgRestore: filepath.Join(w.bin, "pg_restore"),
		Query:     "SELECT id FROM boats WHERE name = 'lifeboat'",
		Timeout:   time.Minute, TempDir: t.TempDir(),
	}}
}

// scratchLeft lists the restore drill's databases still on the server.
func (w *restoreWorld) scratchLeft(t *testing.T) string {
	return w.pg.SQL(t, "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'lifeboat_restore_%'")
}

// noSecret fails when the password shows anywhere in the report or err.
func (w *restoreWorld) noSecret(t *testing.T, rep Report, err error) {
	t.Helper()
	js, _ := json.Marshal(rep)
	var text strings.Builder
	_ = rep.WriteText(&text)
	for what, s := range map[string]string{"report": string(js), "text": text.String(), "error": errString(err)} {
		if strings.Contains(s, w.pg.Password) || strings.Contains(s, w.pg.DSN()) {
			t.Errorf("the %s shows the DSN or its password:\n%s", what, s)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func stepNames(rep Report) []string {
	var out []string
	for _, s := range rep.Steps {
		out = append(out, s.Name)
	}
	return out
}

func TestRestoreDrill(t *testing.T) {
	w := newRestoreWorld(t)

	t.Run("passes", func(t *testing.T) {
		spec := w.spec(t)
		chk := &fakeChecker{ok: true}
		spec.Restore.Addresses = []string{"192.0.2.2"}
		// pg_restore through a wrapper that keeps its command line: what
		// `ps` would show must not hold the password.
		argsFile := filepath.Join(t.TempDir(), "args")
		wrapper := filepath.Join(t.TempDir(), "pg_restore")
		script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\nexec " + filepath.Join(w.bin, "pg_restore") + " \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
		spec.Restore.PgRestore = wrapper
		// The dump is fetched into a 0600 file in a 0700 directory.
		var modes []string
		spec.Restore.Backups = dirBackups{dir: w.backups, during: func() {
			dirs, _ := filepath.Glob(filepath.Join(spec.Restore.TempDir, "lifeboat-restore-*"))
			for _, d := range dirs {
				for _, p := range []string{d, filepath.Join(d, "backup")} {
					if fi, err := os.Stat(p); err == nil {
						modes = append(modes, fi.Mode().String())
					}
				}
			}
		}}
		rec := &fakeRecorder{}
		rep, err := Run(t.Context(), spec, Env{Checker: chk, Recorder: rec})
		if err != nil {
			t.Fatalf("Run: %v\n%+v", err, rep)
		}
		want := []string{"www/bravo/restore-newest-backup", "www/bravo/restore-fetch", "www/bravo/restore-create-database",
			"www/bravo/restore-restore", "www/bravo/restore-query", "www/bravo/restore-checks", "www/bravo/restore-drop-database"}
		if got := stepNames(rep); !slices.Equal(got, want) {
			t.Fatalf("steps %v, want %v", got, want)
		}
		rr := rep.Restore
		if !rep.OK || rr == nil || rr.Backup != "db-2026-12-07.dump" || !rr.BackupModified.Equal(w.written) || rr.BackupBlock != "nightly" {
			t.Fatalf("report %+v, restore %+v", rep, rr)
		}
		if rr.BackupAge < 2*time.Hour || rr.BackupAge > 2*time.Hour+time.Minute {
			t.Errorf("backup age %s, want about 2h", rr.BackupAge)
		}
		fi, _ := os.Stat(w.dump)
		if rr.RestoreTime <= 0 || rr.QueryRows != 1 || rr.BackupSize != fi.Size() {
			t.Errorf("restore time %s, query rows %d, size %d (file %d)", rr.RestoreTime, rr.QueryRows, rr.BackupSize, fi.Size())
		}
		if !rr.Dropped || !strings.HasPrefix(rr.Database, "lifeboat_restore_") {
			t.Errorf("scratch %q dropped %v", rr.Database, rr.Dropped)
		}
		if left := w.scratchLeft(t); left != "" {
			t.Errorf("scratch databases left: %s", left)
		}
		if len(chk.seen) != 1 || !slices.Equal(chk.seen[0], []string{"192.0.2.2"}) {
			t.Errorf("checks ran against %v", chk.seen)
		}
		args, err := os.ReadFile(argsFile)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(args), w.pg.Password) || !strings.Contains(string(args), "--dbname=") ||
			!strings.Contains(string(args), rr.Database) || !strings.Contains(string(args), "--exit-on-error") {
			t.Errorf("pg_restore's command line:\n%s", args)
		}
		if !slices.Equal(modes, []string{"drwx------", "-rw-------"}) {
			t.Errorf("the dump's directory and file while fetched: %v", modes)
		}
		// The private directory with the dump is gone.
		if ents, _ := os.ReadDir(spec.Restore.TempDir); len(ents) != 0 {
			t.Errorf("temporary files left: %v", ents)
		}
		if len(rec.reps) != 1 || !rec.reps[0].OK {
			t.Errorf("recorded %+v", rec.reps)
		}
		var text strings.Builder
		_ = rep.WriteText(&text)
		for _, s := range []string{"PASSED", "Backup: db-2026-12-07.dump (backup nightly), 2h0m", "Restore time: ", "Query: 1 row(s)", "Scratch database: " + rr.Database + ", dropped"} {
			if !strings.Contains(text.String(), s) {
				t.Errorf("text lacks %q:\n%s", s, text.String())
			}
		}
		w.noSecret(t, rep, err)
	})

	t.Run("truncated dump", func(t *testing.T) {
		dir := t.TempDir()
		data, err := os.ReadFile(w.dump)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cut.dump"), data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		spec := w.spec(t)
		spec.Restore.Backups = dirBackups{dir: dir}
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || rep.OK {
			t.Fatalf("Run: %v", err)
		}
		if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "pg_restore failed (exit status 1): pg_restore: error: could not read from input file") {
			t.Errorf("failures %q", rep.Failures)
		}
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" {
			t.Errorf("scratch database left: dropped %v, left %q", rep.Restore.Dropped, w.scratchLeft(t))
		}
		if got := stepNames(rep); got[len(got)-1] != "www/bravo/restore-drop-database" || slices.Contains(got, "www/bravo/restore-query") {
			t.Errorf("steps %v", got)
		}
		w.noSecret(t, rep, err)
	})

	t.Run("query returns no rows", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.Query = "SELECT id FROM boats WHERE name = 'titanic'"
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "query returned no rows") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" || rep.Restore.RestoreTime <= 0 {
			t.Errorf("restore %+v, left %q", rep.Restore, w.scratchLeft(t))
		}
	})

	t.Run("no backup", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.Backups = dirBackups{dir: t.TempDir()}
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || rep.Failures[0] != "no backup found" {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		if got := stepNames(rep); !slices.Equal(got, []string{"www/bravo/restore-newest-backup"}) {
			t.Errorf("steps %v: nothing is created without a backup", got)
		}
	})

	t.Run("command", func(t *testing.T) {
		spec := w.spec(t)
		seen := filepath.Join(t.TempDir(), "seen")
		// The command gets the file and the scratch database; the
		// password only in PGPASSWORD.
		spec.Restore.Command = []string{"sh", "-c", `printf '%s\n%s\n' "$LIFEBOAT_RESTORE_DSN" "$LIFEBOAT_BACKUP_FILE" > ` + seen +
			` && ` + filepath.Join(w.bin, "pg_restore") + ` --no-owner -d "$LIFEBOAT_RESTORE_DSN" "$LIFEBOAT_BACKUP_FILE"`}
		spec.Restore.PgRestore = "/nonexistent/pg_restore" // not used
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if err != nil || rep.Restore.QueryRows != 1 {
			t.Fatalf("Run: %v\n%+v", err, rep)
		}
		got, err := os.ReadFile(seen)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		if len(lines) != 2 || strings.Contains(lines[0], w.pg.Password) || !strings.HasSuffix(lines[0], "/"+rep.Restore.Database+"?connect_timeout=5&sslmode=disable") ||
			!strings.HasPrefix(lines[1], spec.Restore.TempDir) {
			t.Errorf("the command saw %q", lines)
		}
		if !strings.Contains(rep.Steps[3].Detail, "restore.command sh restored") {
			t.Errorf("restore step: %+v", rep.Steps[3])
		}
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" {
			t.Errorf("scratch left")
		}
	})

	t.Run("command failing quotes its output, not the password", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.Command = []string{"sh", "-c", `echo "cannot restore to $LIFEBOAT_RESTORE_DSN with $PGPASSWORD" >&2; exit 3`}
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "exit status 3): cannot restore to postgres://postgres@") ||
			!strings.Contains(rep.Failures[0], "with <hidden>") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		w.noSecret(t, rep, err)
	})

	t.Run("no pg_restore", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.PgRestore = ""
		var rep Report
		var err error
		t.Run("empty PATH", func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			rep, err = Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "pg_restore not found in PATH") ||
			!strings.Contains(rep.Failures[0], "restore.command") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" {
			t.Errorf("scratch left")
		}
	})

	t.Run("timeout", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.Timeout = 500 * time.Millisecond
		spec.Restore.Command = []string{"sh", "-c", "sleep 30"}
		start := time.Now()
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "restore timed out after 500ms") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		if time.Since(start) > 15*time.Second {
			t.Errorf("took %s: the command was not stopped", time.Since(start))
		}
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" {
			t.Errorf("scratch left")
		}
	})

	t.Run("aborted", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.Command = []string{"sh", "-c", "sleep 30"}
		ctx, cancel := context.WithCancelCause(t.Context())
		defer cancel(nil)
		progress := func(ev Event) {
			if ev.Step == "www/bravo/restore-restore" && ev.Phase == "start" {
				time.AfterFunc(300*time.Millisecond, func() { cancel(errors.New("provider alpha lost")) })
			}
		}
		rep, err := Run(ctx, spec, Env{Recorder: &fakeRecorder{}, Progress: progress})
		if !errors.Is(err, ErrAborted) || !rep.Aborted || rep.AbortReason != "provider alpha lost" {
			t.Fatalf("Run: %v\n%+v", err, rep)
		}
		// The drop ran with a fresh context after the abort.
		if !rep.Restore.Dropped || w.scratchLeft(t) != "" || len(rep.LeftChanged) != 0 {
			t.Errorf("dropped %v, left %q, left changed %q", rep.Restore.Dropped, w.scratchLeft(t), rep.LeftChanged)
		}
	})

	t.Run("key=value DSN", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.DSN = "host=" + w.pg.Host + " port=" + strings.TrimPrefix(w.pg.Addr(), w.pg.Host+":") +
			" user=postgres password='" + w.pg.Password + "' dbname=postgres sslmode=disable connect_timeout=5"
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if err != nil || rep.Restore.QueryRows != 1 || !rep.Restore.Dropped || w.scratchLeft(t) != "" {
			t.Fatalf("Run: %v\n%+v", err, rep)
		}
		w.noSecret(t, rep, err)
	})

	t.Run("wrong password", func(t *testing.T) {
		spec := w.spec(t)
		bad := "Wr0ngPassw0rdValue"
		spec.Restore.DSN = w.pg.DSNWithPassword(bad)
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "password authentication failed") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		// Nothing was created, so nothing is dropped or left.
		if got := stepNames(rep); got[len(got)-1] != "www/bravo/restore-create-database" || len(rep.LeftChanged) != 0 {
			t.Errorf("steps %v, left changed %q", got, rep.LeftChanged)
		}
		js, _ := json.Marshal(rep)
		if strings.Contains(string(js), bad) || strings.Contains(err.Error(), bad) {
			t.Errorf("the password shows: %s / %v", js, err)
		}
	})

	// A drill killed before its drop leaves the restored copy of the data
	// behind; the next drill at that server drops it once the end named
	// in it (plus the margin) is past and nobody is connected. Nothing
	// else is touched: a drill still running, one just over, one in use,
	// a name without an end.
	t.Run("sweeps what a killed drill left", func(t *testing.T) {
		now := time.Now()
		name := func(end time.Time, hex string) string {
			return "lifeboat_restore_" + strconv.FormatInt(end.Unix(), 10) + "_" + hex
		}
		stale := name(now.Add(-time.Hour), "deadbeef")
		running := name(now.Add(time.Hour), "cafebabe")
		justOver := name(now.Add(-LeftoverMargin/2), "0000beef")
		inUse := name(now.Add(-time.Hour), "0badf00d")
		kept := []string{running, justOver, inUse, "lifeboat_restore_feedface", "lifeboat_restorex_1_deadbeef"}
		for _, db := range append([]string{stale}, kept...) {
			w.pg.SQL(t, "CREATE DATABASE "+db)
		}
		t.Cleanup(func() {
			for _, db := range kept {
				w.pg.SQL(t, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
			}
		})
		cfg, err := pgx.ParseConfig(w.pg.DSN())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Database = inUse
		conn, err := pgx.ConnectConfig(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())

		rep, err := Run(t.Context(), w.spec(t), Env{Recorder: &fakeRecorder{}})
		if err != nil || !rep.OK {
			t.Fatalf("Run: %v\n%+v", err, rep)
		}
		if !slices.Equal(rep.Restore.Swept, []string{stale}) {
			t.Errorf("swept %v, want only %s", rep.Restore.Swept, stale)
		}
		if !slices.Contains(stepNames(rep), "www/bravo/restore-sweep") {
			t.Errorf("no sweep step: %v", stepNames(rep))
		}
		left := strings.Split(w.scratchLeft(t), ",")
		slices.Sort(left)
		want := slices.Clone(kept) // scratchLeft's LIKE takes _ as any character
		slices.Sort(want)
		if !slices.Equal(left, want) {
			t.Errorf("databases left %v, want %v", left, want)
		}
		var text strings.Builder
		_ = rep.WriteText(&text)
		if !strings.Contains(text.String(), "Swept: "+stale) {
			t.Errorf("the text does not say what was swept:\n%s", text.String())
		}
		// The drill's own scratch database names its end: the timeout and
		// the drop's bound from now.
		m := regexp.MustCompile(`^lifeboat_restore_([0-9]+)_[0-9a-f]{8}$`).FindStringSubmatch(rep.Restore.Database)
		if m == nil {
			t.Fatalf("scratch database %q", rep.Restore.Database)
		}
		end, _ := strconv.ParseInt(m[1], 10, 64)
		if d := time.Unix(end, 0).Sub(now); d < time.Minute+DropTimeout-5*time.Second || d > time.Minute+DropTimeout+time.Minute {
			t.Errorf("the name's end is %s after the start, want the 1m timeout plus %s", d, DropTimeout)
		}
	})

	t.Run("too large", func(t *testing.T) {
		spec := w.spec(t)
		spec.Restore.MaxBytes = 100
		rep, err := Run(t.Context(), spec, Env{Recorder: &fakeRecorder{}})
		if !errors.Is(err, ErrFailed) || len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0], "larger than the restore drill's bound (100 bytes)") {
			t.Fatalf("Run: %v, failures %q", err, rep.Failures)
		}
		if ents, _ := os.ReadDir(spec.Restore.TempDir); len(ents) != 0 {
			t.Errorf("temporary files left: %v", ents)
		}
	})
}
