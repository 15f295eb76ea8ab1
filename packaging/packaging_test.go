// Package packaging holds what lifeboat ships as (the systemd unit, the
// files of the .deb and .rpm, the Containerfile) and the test that builds
// the packages the way `make release` does and checks what a user would
// install.
package packaging

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// fakeTag is the version the test releases: no repository tag is needed,
// and `lifeboat --version` must print it exactly.
const fakeTag = "v9.8.7"

// release runs scripts/release.sh (what `make release` runs) for the host's
// architecture only, into a temporary dist directory, and returns it.
func release(t *testing.T, root string) string {
	t.Helper()
	nfpm := filepath.Join(root, ".tools", "bin", "nfpm")
	if _, err := os.Stat(nfpm); err != nil {
		testharness.Require(t, "nfpm ("+nfpm+")", "run scripts/nfpm.sh (make tools)")
	}
	dist := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "release.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"LIFEBOAT_VERSION="+fakeTag,
		"RELEASE_ARCHES="+runtime.GOARCH,
		"DIST="+dist,
		"NFPM="+nfpm,
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/release.sh: %v\n%s", err, out)
	}
	t.Logf("scripts/release.sh took %s", time.Since(start).Round(time.Second))
	return dist
}

// tool finds a command the test needs, or handles its absence as for every
// real part: a failure under LIFEBOAT_REQUIRE_REAL=1.
func tool(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		testharness.Require(t, name, hint)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// debEntry is one line of `dpkg-deb -c`.
type debEntry struct{ mode, owner string }

// debContents parses `dpkg-deb -c`: mode, owner/group, size, date, time, path.
func debContents(t *testing.T, listing string) map[string]debEntry {
	t.Helper()
	m := map[string]debEntry{}
	sc := bufio.NewScanner(strings.NewReader(listing))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c: unexpected line %q", sc.Text())
		}
		path := strings.TrimSuffix(strings.TrimPrefix(f[5], "."), "/")
		m[path] = debEntry{mode: f[0], owner: f[1]}
	}
	return m
}

// unitSettings reads a systemd unit's Key=Value lines, by section.
func unitSettings(unit string) map[string][]string {
	m := map[string][]string{}
	section := ""
	for l := range strings.SplitSeq(unit, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = strings.Trim(l, "[]")
		default:
			k, v, _ := strings.Cut(l, "=")
			m[section+"."+k] = append(m[section+"."+k], v)
		}
	}
	return m
}

func TestReleasePackages(t *testing.T) {
	testharness.Real(t, "release packages (nfpm, dpkg-deb, systemd-analyze)")
	dpkgDeb := tool(t, "dpkg-deb", "run scripts/nfpm.sh --with-test-tools as root (make tools) to install Debian's dpkg")
	analyze := tool(t, "systemd-analyze", "run scripts/nfpm.sh --with-test-tools as root (make tools) to install Debian's systemd")
	root := testharness.RepoRoot(t)
	dist := release(t, root)

	debName := "lifeboat_9.8.7-1_" + runtime.GOARCH + ".deb"
	rpmArch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	rpmName := "lifeboat-9.8.7-1." + rpmArch + ".rpm"
	binName := "lifeboat-" + fakeTag + "-linux-" + runtime.GOARCH
	deb := filepath.Join(dist, debName)

	t.Run("SHA256SUMS", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for l := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
			sum, name, ok := strings.Cut(l, "  ")
			if !ok {
				t.Fatalf("SHA256SUMS: line %q is not SUM  NAME", l)
			}
			body, err := os.ReadFile(filepath.Join(dist, name))
			if err != nil {
				t.Fatalf("SHA256SUMS names %s: %v", name, err)
			}
			if h := sha256.Sum256(body); hex.EncodeToString(h[:]) != sum {
				t.Errorf("SHA256SUMS: %s has sum %x, listed %s", name, h, sum)
			}
			names = append(names, name)
		}
		slices.Sort(names)
		want := []string{binName, rpmName, debName}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("SHA256SUMS lists %v, want %v", names, want)
		}
	})

	t.Run("static binary", func(t *testing.T) {
		f, err := elf.Open(filepath.Join(dist, binName))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s has a program interpreter: not a static (CGO_ENABLED=0) build", binName)
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("%s links %v dynamically", binName, libs)
		}
	})

	t.Run("rpm", func(t *testing.T) {
		// rpm is not installed here: check the lead, the fixed 96 bytes
		// that open every rpm, with the package's name-version-release.
		data, err := os.ReadFile(filepath.Join(dist, rpmName))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 1<<20 {
			t.Fatalf("%s is %d bytes: too small to hold the binary", rpmName, len(data))
		}
		if !bytes.Equal(data[:4], []byte{0xed, 0xab, 0xee, 0xdb}) {
			t.Errorf("%s does not start with the rpm lead magic: % x", rpmName, data[:4])
		}
		if name := string(bytes.TrimRight(data[10:76], "\x00")); name != "lifeboat-9.8.7-1" {
			t.Errorf("%s: the lead names %q, want lifeboat-9.8.7-1", rpmName, name)
		}
	})

	t.Run("deb control", func(t *testing.T) {
		want := map[string]string{
			"Package":      "lifeboat",
			"Version":      "9.8.7-1",
			"Architecture": runtime.GOARCH,
			"Depends":      "adduser",
		}
		for field, v := range want {
			if got := strings.TrimSpace(run(t, dpkgDeb, "-f", deb, field)); got != v {
				t.Errorf("control field %s = %q, want %q", field, got, v)
			}
		}
		info := run(t, dpkgDeb, "-I", deb)
		for _, s := range []string{"conffiles", "postinst", "prerm", "postrm"} {
			if !strings.Contains(info, " "+s+" ") {
				t.Errorf("dpkg-deb -I lists no %s:\n%s", s, info)
			}
		}
		ctrl := t.TempDir()
		run(t, dpkgDeb, "-e", deb, ctrl)
		conffiles, err := os.ReadFile(filepath.Join(ctrl, "conffiles"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"/etc/lifeboat/lifeboat.env", "/etc/lifeboat/lifeboat.hcl.example"} {
			if !slices.Contains(strings.Fields(string(conffiles)), f) {
				t.Errorf("conffiles lacks %s (an upgrade would overwrite the user's copy):\n%s", f, conffiles)
			}
		}
		postinst, err := os.ReadFile(filepath.Join(ctrl, "postinst"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			"adduser --system --group --home /var/lib/lifeboat",
			"chown root:lifeboat /etc/lifeboat/lifeboat.env",
			"chmod 0640 /etc/lifeboat/lifeboat.env",
			"chown lifeboat:lifeboat /var/lib/lifeboat",
		} {
			if !strings.Contains(string(postinst), s) {
				t.Errorf("postinst lacks %q", s)
			}
		}
		for _, s := range []string{"postinst", "prerm", "postrm"} {
			run(t, "sh", "-n", filepath.Join(ctrl, s))
		}
	})

	t.Run("deb contents", func(t *testing.T) {
		got := debContents(t, run(t, dpkgDeb, "-c", deb))
		want := map[string]debEntry{
			"/usr/bin/lifeboat":                         {"-rwxr-xr-x", "root/root"},
			"/lib/systemd/system/lifeboat.service":      {"-rw-r--r--", "root/root"},
			"/etc/lifeboat":                             {"drwxr-xr-x", "root/root"},
			"/etc/lifeboat/lifeboat.hcl.example":        {"-rw-r--r--", "root/root"},
			"/etc/lifeboat/lifeboat.env":                {"-rw-r-----", "root/root"},
			"/var/lib/lifeboat":                         {"drwxr-x---", "root/root"},
			"/usr/share/doc/lifeboat/LICENSE":           {"-rw-r--r--", "root/root"},
			"/usr/share/doc/lifeboat/NOTICE":            {"-rw-r--r--", "root/root"},
			"/usr/share/doc/lifeboat/README.md":         {"-rw-r--r--", "root/root"},
			"/usr/share/doc/lifeboat/configuration.md":  {"-rw-r--r--", "root/root"},
			"/usr/share/doc/lifeboat/operator-guide.md": {"-rw-r--r--", "root/root"},
		}
		for path, w := range want {
			g, ok := got[path]
			switch {
			case !ok:
				t.Errorf("the .deb has no %s", path)
			case g != w:
				t.Errorf("%s: %s %s, want %s %s", path, g.mode, g.owner, w.mode, w.owner)
			}
		}
		for path, g := range got {
			if _, ok := want[path]; !ok && !strings.HasPrefix(g.mode, "d") {
				t.Errorf("the .deb holds an unexpected file %s", path)
			}
		}
	})

	// The rest looks at the files as dpkg would install them.
	fsroot := t.TempDir()
	run(t, dpkgDeb, "-x", deb, fsroot)
	bin := filepath.Join(fsroot, "usr", "bin", "lifeboat")

	t.Run("version", func(t *testing.T) {
		if got := run(t, bin, "--version"); got != "lifeboat version "+fakeTag+"\n" {
			t.Errorf("lifeboat --version printed %q, want the tag %s", got, fakeTag)
		}
	})

	t.Run("license", func(t *testing.T) {
		shipped, err := os.ReadFile(filepath.Join(fsroot, "usr", "share", "doc", "lifeboat", "LICENSE"))
		if err != nil {
			t.Fatal(err)
		}
		repo, err := os.ReadFile(filepath.Join(root, "LICENSE"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shipped, repo) {
			t.Error("the package's LICENSE differs from the repository's")
		}
		// The standard text, whole: its title and its last line.
		for _, s := range []string{"Apache License\n                           Version 2.0, January 2004", "limitations under the License.\n"} {
			if !bytes.Contains(repo, []byte(s)) {
				t.Errorf("LICENSE lacks %q: not the Apache License 2.0 text", s)
			}
		}
		if !bytes.HasSuffix(repo, []byte("limitations under the License.\n")) {
			t.Error("LICENSE does not end as the Apache License 2.0 does")
		}
	})

	unitPath := filepath.Join(fsroot, "lib", "systemd", "system", "lifeboat.service")
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("unit settings", func(t *testing.T) {
		got := unitSettings(string(unit))
		for k, v := range map[string]string{
			"Service.ExecStart":       "/usr/bin/lifeboat run -c /etc/lifeboat/lifeboat.hcl",
			"Service.ExecReload":      "/bin/kill -HUP $MAINPID",
			"Service.User":            "lifeboat",
			"Service.Group":           "lifeboat",
			"Service.EnvironmentFile": "-/etc/lifeboat/lifeboat.env",
			"Service.NoNewPrivileges": "yes",
			"Service.ProtectSystem":   "strict",
			"Service.ReadWritePaths":  "/var/lib/lifeboat",
			"Service.StateDirectory":  "lifeboat",
			"Service.PrivateTmp":      "yes",
			"Service.ProtectHome":     "yes",
			"Service.Restart":         "on-failure",
			"Service.RestartSec":      "5s",
			"Install.WantedBy":        "multi-user.target",
		} {
			if !slices.Equal(got[k], []string{v}) {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		// OpenTofu and its providers need the network: a filter that
		// drops IP would make every failover fail.
		if af := got["Service.RestrictAddressFamilies"]; len(af) != 1 || !strings.Contains(af[0], "AF_INET") || !strings.Contains(af[0], "AF_INET6") || !strings.Contains(af[0], "AF_UNIX") {
			t.Errorf("RestrictAddressFamilies = %q: OpenTofu needs AF_INET, AF_INET6 and AF_UNIX", af)
		}
		for _, k := range []string{"Service.PrivateNetwork", "Service.IPAddressDeny", "Service.MemoryDenyWriteExecute"} {
			if v, ok := got[k]; ok {
				t.Errorf("%s = %q: breaks the network or exec checks (see the unit's comment)", k, v)
			}
		}
	})

	t.Run("systemd-analyze", func(t *testing.T) {
		// verify checks the binary exists: point ExecStart at the
		// extracted one, in a copy named as the unit is.
		dir := t.TempDir()
		adjusted := strings.ReplaceAll(string(unit), "/usr/bin/lifeboat", bin)
		copyPath := filepath.Join(dir, "lifeboat.service")
		if err := os.WriteFile(copyPath, []byte(adjusted), 0o644); err != nil {
			t.Fatal(err)
		}
		// verify exits 0 on an unknown or misspelt key, only warning:
		// any output is a failure here.
		cmd := exec.Command(analyze, "verify", copyPath)
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
		// The hardening, scored: 2.5 on systemd's 0-10 exposure scale
		// (10 is a unit with none). Dropping the sandboxing fails this.
		cmd = exec.Command(analyze, "security", "--offline=yes", "--threshold=25", "--no-pager", copyPath)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("systemd-analyze security: exposure above 2.5: %v\n%s", err, out)
		}
	})

	t.Run("example configuration", func(t *testing.T) {
		example := filepath.Join(fsroot, "etc", "lifeboat", "lifeboat.hcl.example")
		hcl, err := os.ReadFile(example)
		if err != nil {
			t.Fatal(err)
		}
		envFile, err := os.ReadFile(filepath.Join(fsroot, "etc", "lifeboat", "lifeboat.env"))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(filepath.Join(fsroot, "etc", "lifeboat", "lifeboat.env")); err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("extracted lifeboat.env: mode %v (%v), want 0640", st.Mode().Perm(), err)
		}
		named := map[string]bool{}
		for l := range strings.SplitSeq(string(envFile), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
				if v != "" {
					t.Errorf("lifeboat.env ships a value for %s", k)
				}
				named[k] = true
			}
		}
		// Every secret the example reads has its line in lifeboat.env.
		envs := regexp.MustCompile(`env\("([A-Z0-9_]+)"\)`).FindAllStringSubmatch(string(hcl), -1)
		if len(envs) == 0 {
			t.Fatal("the example reads no secret with env(): the check below proves nothing")
		}
		environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		for _, m := range envs {
			if !named[m[1]] {
				t.Errorf("the example reads env(%q), which lifeboat.env does not name", m[1])
			}
			// Tokens must be long and differ from each other.
			environ = append(environ, m[1]+"=https://example.org/"+strings.Repeat(strings.ToLower(m[1]), 2))
		}
		// The service can write only below /var/lib/lifeboat: the journal
		// and every OpenTofu workspace must be there.
		if !strings.Contains(string(hcl), `path = "/var/lib/lifeboat/lifeboat.db"`) {
			t.Error(`the example's state block does not set path = "/var/lib/lifeboat/lifeboat.db"`)
		}
		dirs := regexp.MustCompile(`(?m)^\s*dir\s*=\s*"([^"]*)"`).FindAllStringSubmatch(string(hcl), -1)
		if len(dirs) == 0 {
			t.Error("the example has no workspace dir")
		}
		for _, m := range dirs {
			if !strings.HasPrefix(m[1], "/var/lib/lifeboat/") {
				t.Errorf("workspace dir %q: the unit (ProtectSystem=strict) lets OpenTofu write only below /var/lib/lifeboat", m[1])
			}
		}
		cmd := exec.Command(bin, "validate", "-c", example)
		cmd.Env = environ
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("lifeboat validate on the packaged example: %v\n%s", err, out)
		}
	})

	t.Run("Containerfile", func(t *testing.T) {
		// The image installs the .deb that make release made: its COPY
		// pattern must match the package's name.
		data, err := os.ReadFile(filepath.Join(root, "packaging", "Containerfile"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^COPY dist/(\S+) `).FindSubmatch(data)
		if m == nil {
			t.Fatal("packaging/Containerfile copies nothing from dist/")
		}
		pattern := strings.ReplaceAll(string(m[1]), "${TARGETARCH}", runtime.GOARCH)
		if ok, err := filepath.Match(pattern, debName); err != nil || !ok {
			t.Errorf("the Containerfile copies dist/%s, which does not match %s", pattern, debName)
		}
		for _, s := range []string{"FROM docker.io/library/debian:bookworm-slim", "sha256sum -c", "USER lifeboat"} {
			if !bytes.Contains(data, []byte(s)) {
				t.Errorf("packaging/Containerfile lacks %q", s)
			}
		}
	})
}
