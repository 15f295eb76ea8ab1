package testharness

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const postgresHint = "run `make tools` (installs postgresql from Debian packages)"

// postgresUser is the account the Debian package creates. PostgreSQL
// refuses to run as root, so a test running as root (CI) runs its
// binaries as this user, on directories it owns.
const postgresUser = "postgres"

// Postgres is a real PostgreSQL server on a loopback port: a primary
// (StartPostgres) or a streaming replica of one (StartReplica). Its
// superuser "postgres" logs in over TCP with Password (SCRAM); the
// replication connection from loopback is trusted.
type Postgres struct {
	Host     string // 127.0.0.1
	Port     int
	User     string // "postgres"
	Password string // random per primary; a replica shares its primary's
	DataDir  string
	LogPath  string

	bin    string   // the package's bin directory, /usr/lib/postgresql/VERSION/bin
	runAs  []string // "runuser -u postgres --" when running as root
	work   *pgWork  // the directory shared by a primary and its replicas
	nextID *atomic.Int32
	mu     sync.Mutex
	up     bool
}

// pgWork is the temporary directory a primary and its replicas live in,
// with the Unix sockets; the postgres user owns it.
type pgWork struct {
	dir string
}

// PostgresBin returns the bin directory of the newest PostgreSQL under
// /usr/lib/postgresql (Debian's layout), or false. A pg_ctl elsewhere on
// PATH is not used: it may be a wrapper or another version.
func PostgresBin() (string, bool) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	best, bestV := "", -1
	for _, m := range matches {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m))))
		if err != nil {
			continue
		}
		if fi, err := os.Stat(m); err == nil && fi.Mode()&0o111 != 0 && v > bestV {
			best, bestV = filepath.Dir(m), v
		}
	}
	return best, best != ""
}

// StartPostgres initialises and starts a primary on a free port of
// 127.0.0.1, ready for streaming replicas (wal_level replica), waits until
// it accepts connections, and stops it (pg_ctl -m fast) on t.Cleanup. Its
// log is printed when the test fails.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	Real(t, "PostgreSQL")
	bin, ok := PostgresBin()
	if !ok {
		Require(t, "PostgreSQL (/usr/lib/postgresql/*/bin/pg_ctl)", postgresHint)
	}
	p := &Postgres{Host: "127.0.0.1", User: "postgres", bin: bin, nextID: new(atomic.Int32)}
	var uid, gid int = -1, -1
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("runuser"); err != nil {
			Require(t, "runuser", "install util-linux")
		}
		u, err := user.Lookup(postgresUser)
		if err != nil {
			Require(t, "the postgres user", postgresHint)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		p.runAs = []string{"runuser", "-u", postgresUser, "--"}
	}
	p.work = newPGWork(t, uid, gid)
	p.DataDir = filepath.Join(p.work.dir, "primary")
	p.LogPath = filepath.Join(p.work.dir, "primary.log")
	p.Password = randomPassword(t)

	pwfile := filepath.Join(p.work.dir, "pwfile")
	writeFile(t, p.work.dir, "pwfile", []byte(p.Password+"\n"), 0o600)
	if uid >= 0 {
		if err := os.Chown(pwfile, uid, gid); err != nil {
			t.Fatalf("testharness: chown %s: %v", pwfile, err)
		}
	}
	p.run(t, "initdb", "-D", p.DataDir, "-U", p.User, "--pwfile", pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
	os.Remove(pwfile)

	// Replication from loopback is trusted so pg_basebackup -R needs no
	// password; every other TCP login needs the password.
	hba := "local all all trust\n" +
		"host replication " + p.User + " 127.0.0.1/32 trust\n" +
		"host all all 127.0.0.1/32 scram-sha-256\n"
	p.writeOwned(t, filepath.Join(p.DataDir, "pg_hba.conf"), hba, uid, gid)
	p.Port = FreePort(t, p.Host)
	// fsync off for speed; synchronous_commit stays on, so a commit is in
	// pg_current_wal_lsn() when it returns, as on a production primary.
	conf := fmt.Sprintf(`
listen_addresses = '%s'
port = %d
unix_socket_directories = '%s'
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 30
shared_buffers = 16MB
fsync = off
full_page_writes = off
`, p.Host, p.Port, p.work.dir)
	p.appendConf(t, conf)
	p.start(t)
	return p
}

// StartReplica takes a base backup of p (pg_basebackup -R -X stream,
// which writes standby.signal and primary_conninfo), starts it as a hot
// standby streaming from p on its own free port, and stops it on
// t.Cleanup. It shares p's password and work directory.
func (p *Postgres) StartReplica(t testing.TB) *Postgres {
	t.Helper()
	id := p.nextID.Add(1)
	r := &Postgres{Host: p.Host, User: p.User, Password: p.Password, bin: p.bin, runAs: p.runAs,
		work: p.work, nextID: p.nextID}
	r.DataDir = filepath.Join(p.work.dir, fmt.Sprintf("replica%d", id))
	r.LogPath = filepath.Join(p.work.dir, fmt.Sprintf("replica%d.log", id))
	r.run(t, "pg_basebackup", "-h", p.Host, "-p", strconv.Itoa(p.Port), "-U", p.User,
		"-D", r.DataDir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
	r.Port = FreePort(t, r.Host)
	// The last setting of a name wins: the copied primary's port is overridden.
	r.appendConf(t, fmt.Sprintf("\nport = %d\n", r.Port))
	r.start(t)
	return r
}

// DSN is a connection URL for the superuser over TCP, password included
// (tests only).
func (p *Postgres) DSN() string {
	return p.DSNWithPassword(p.Password)
}

// DSNWithPassword is DSN with another password, for tests of a failed
// login.
func (p *Postgres) DSNWithPassword(password string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(p.User, password),
		Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port)), Path: "/postgres",
		RawQuery: "sslmode=disable&connect_timeout=5"}
	return u.String()
}

// Addr is host:port.
func (p *Postgres) Addr() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// Stop stops the server (pg_ctl -m fast stop) and waits until it is down.
// Calling it again does nothing. Errors are reported with t.Errorf.
func (p *Postgres) Stop(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	up := p.up
	p.up = false
	p.mu.Unlock()
	if !up {
		return
	}
	if out, err := p.command("pg_ctl", "-D", p.DataDir, "-m", "fast", "-w", "-t", "30", "stop").CombinedOutput(); err != nil {
		t.Errorf("testharness: pg_ctl stop %s: %v\n%s\n%s", p.DataDir, err, out, p.Log())
	}
}

// SQL runs one statement as the superuser over the Unix socket (psql,
// no password) and returns its output: unaligned, tuples only, so a
// single value comes back as it is. A failure fails the test.
func (p *Postgres) SQL(t testing.TB, query string) string {
	t.Helper()
	out, err := p.command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", p.work.dir, "-p", strconv.Itoa(p.Port), "-U", p.User, "-d", "postgres", "-c", query).CombinedOutput()
	if err != nil {
		t.Fatalf("testharness: psql on port %d: %q: %v\n%s", p.Port, query, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Log returns the tail of the server's log, for failure messages.
func (p *Postgres) Log() string {
	data, _ := os.ReadFile(p.LogPath)
	if len(data) > 6000 {
		data = data[len(data)-6000:]
	}
	return string(bytes.TrimSpace(data))
}

func (p *Postgres) start(t testing.TB) {
	t.Helper()
	// Registered before starting, so a start that half-succeeded is still
	// stopped; the log is printed when the test has failed by then.
	t.Cleanup(func() {
		p.Stop(t)
		if t.Failed() {
			t.Logf("PostgreSQL log %s:\n%s", filepath.Base(p.LogPath), p.Log())
		}
	})
	p.mu.Lock()
	p.up = true
	p.mu.Unlock()
	// -w waits until it accepts connections; -t bounds that wait.
	p.run(t, "pg_ctl", "-D", p.DataDir, "-l", p.LogPath, "-w", "-t", "60", "start")
}

// command builds a command for one of the package's binaries, run as the
// postgres user when the test runs as root.
func (p *Postgres) command(name string, args ...string) *exec.Cmd {
	argv := append(slices.Clone(p.runAs), filepath.Join(p.bin, name))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// The postgres user cannot enter the test's working directory.
	cmd.Dir = p.work.dir
	return cmd
}

func (p *Postgres) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := p.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("testharness: %s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, p.Log())
	}
}

func (p *Postgres) appendConf(t testing.TB, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(p.DataDir, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("testharness: postgresql.conf: %v", err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("testharness: postgresql.conf: %v", err)
	}
}

// writeOwned writes a file in a data directory, owned by the postgres
// user when running as root.
func (p *Postgres) writeOwned(t testing.TB, path, text string, uid, gid int) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatalf("testharness: write %s: %v", path, err)
	}
	if uid >= 0 {
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatalf("testharness: chown %s: %v", path, err)
		}
	}
}

// newPGWork makes the shared directory: short (the Unix socket's path must
// fit in 108 bytes), traversable by the postgres user (0711, owned by it
// when running as root), removed on t.Cleanup after the servers stopped
// (cleanups run last registered first).
func newPGWork(t testing.TB, uid, gid int) *pgWork {
	t.Helper()
	base := os.TempDir()
	if len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "lifeboat-pg")
	if err != nil {
		t.Fatalf("testharness: postgres work directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatalf("testharness: chmod %s: %v", dir, err)
	}
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("testharness: chown %s: %v", dir, err)
		}
	}
	return &pgWork{dir: dir}
}

// randomPassword is 24 random bytes as URL-safe text, so it needs no
// escaping in a DSN and never appears in ordinary text by chance.
func randomPassword(t testing.TB) string {
	t.Helper()
	s := randomSecret(t)
	return strings.NewReplacer("+", "x", "/", "y", "=", "").Replace(s)
}
