package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// initFlagsArgs are the answers of the tests, as flags.
var initFlagsArgs = []string{"init", "--non-interactive",
	"--provider", "hetzner:hetzner", "--provider", "digitalocean:digitalocean:cold",
	"--dns", "cloudflare:cloudflare:example.com.",
	"--dns", "ns:rfc2136:example.com:self-hosted", "--dns-setting", "ns.server=192.0.2.53:53",
	"--service", "www", "--records", "www,@", "--check-path", "/healthz"}

// initEnv is what the written configuration reads from the environment.
var initEnv = []string{"CLOUDFLARE_API_TOKEN=cf-token", "NS_KEY=bm90IGEgcmVhbCBrZXk="}

// runIn runs the binary in dir, standard input closed, and returns its
// outputs and exit code.
func runIn(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lifeboatBinary(t), args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run lifeboat %v: %v", args, err)
	}
	return r
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// `lifeboat init` with flags writes a configuration `lifeboat validate`
// accepts, and workspaces OpenTofu accepts as they are.
func TestInitNonInteractiveValidates(t *testing.T) {
	dir := t.TempDir()
	r := runIn(t, dir, nil, initFlagsArgs...)
	if r.code != 0 {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"wrote lifeboat.hcl", "infra/hetzner/main.tf", "CLOUDFLARE_API_TOKEN, NS_KEY", "lifeboat validate", "lifeboat audit", "lifeboat prepare"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	cfg := string(readFile(t, filepath.Join(dir, "lifeboat.hcl")))
	for _, want := range []string{`api_token = env("CLOUDFLARE_API_TOKEN")`, `env("NS_KEY")`, `"192.0.2.53:53"`, `path          = "/healthz"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("configuration lacks %q:\n%s", want, cfg)
		}
	}
	r = runIn(t, dir, initEnv, "validate", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"valid": true`) || !strings.Contains(r.stdout, `"providers": 2`) {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without the secrets the configuration is refused, naming the variable:
	// they really are read from the environment.
	r = runIn(t, dir, []string{"CLOUDFLARE_API_TOKEN="}, "validate")
	if r.code != 2 {
		t.Fatalf("validate without the secret: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	tf := testharness.FindTofu(t)
	for _, p := range []string{"hetzner", "digitalocean"} {
		ws := filepath.Join(dir, "infra", p)
		for _, args := range [][]string{{"init", "-backend=false", "-input=false"}, {"validate"}} {
			cmd := exec.Command(tf.Binary, args...)
			cmd.Dir, cmd.Env = ws, tf.Env()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("tofu %v in %s: %v\n%s", args, ws, err, out)
			}
		}
	}
}

// A second init without --force refuses (exit 2) and leaves the file as
// the operator edited it; --force overwrites it and keeps the workspaces.
func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	if r := runIn(t, dir, nil, initFlagsArgs...); r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	cfgPath := filepath.Join(dir, "lifeboat.hcl")
	edited := append(readFile(t, cfgPath), "# edited by hand\n"...)
	if err := os.WriteFile(cfgPath, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "infra", "hetzner", "main.tf")
	if err := os.WriteFile(ws, []byte("# my workspace\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, nil, initFlagsArgs...)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("second init: exit %d, want 2 naming --force\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !bytes.Equal(readFile(t, cfgPath), edited) {
		t.Fatal("the refused init changed the configuration")
	}
	r = runIn(t, dir, nil, append(initFlagsArgs, "--force")...)
	if r.code != 0 || !strings.Contains(r.stdout, "kept infra/hetzner/main.tf") {
		t.Fatalf("init --force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if bytes.Equal(readFile(t, cfgPath), edited) {
		t.Fatal("init --force left the configuration as it was")
	}
	if string(readFile(t, ws)) != "# my workspace\n" {
		t.Fatal("init --force overwrote an existing workspace")
	}
	// Without a terminal and without flags, init asks nothing and refuses.
	if err := os.Remove(cfgPath); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, dir, nil, "init"); r.code != 2 || !strings.Contains(r.stderr, "not a terminal") {
		t.Fatalf("init without a terminal: exit %d\n%s", r.code, r.stderr)
	}
}

// console is the far side of a pseudo-terminal: what the program printed
// so far, and a way to wait for a prompt.
type console struct {
	mu  sync.Mutex
	buf bytes.Buffer
	pty *os.File
}

func (c *console) copy() {
	b := make([]byte, 4096)
	for {
		n, err := c.pty.Read(b)
		c.mu.Lock()
		c.buf.Write(b[:n])
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// answer waits (bounded) for prompt to appear after the previous one, then
// types the answer and Enter.
func (c *console) answer(t *testing.T, from *int, prompt, answer string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		seen := c.buf.String()[*from:]
		c.mu.Unlock()
		if i := strings.Index(seen, prompt); i >= 0 {
			*from += i + len(prompt)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no prompt %q; the terminal shows:\n%s", prompt, seen)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := io.WriteString(c.pty, answer+"\r"); err != nil {
		t.Fatal(err)
	}
}

// On a terminal, init asks; answered as the flags say, it writes the same
// file, byte for byte.
func TestInitTerminalMatchesFlags(t *testing.T) {
	flagsDir, ttyDir := t.TempDir(), t.TempDir()
	if r := runIn(t, flagsDir, nil, initFlagsArgs...); r.code != 0 {
		t.Fatalf("init with flags: exit %d\n%s", r.code, r.stderr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lifeboatBinary(t), "init")
	cmd.Dir, cmd.Env = ttyDir, os.Environ()
	ptmx, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	c := &console{pty: ptmx}
	go c.copy()
	from := 0
	for _, qa := range [][2]string{
		{"provider 1 name: ", "hetzner"},
		{"vendor [hetzner]: ", ""},
		{"standby: active, warm or cold [active]: ", ""},
		{"provider 2 name (Enter when done): ", "digitalocean"},
		{"vendor [digitalocean]: ", ""},
		{"standby: active, warm or cold [cold]: ", "cold"},
		{"provider 3 name (Enter when done): ", ""},
		{"dns 1 name: ", "cloudflare"},
		{"type [cloudflare]: ", ""},
		{"zone, such as example.com: ", "example.com."},
		{"vendor [cloudflare]: ", ""},
		{"dns 2 name (Enter when done): ", "ns"},
		{"type: ", "rfc2136"},
		{"zone, such as example.com: ", "example.com"},
		{"vendor [self-hosted]: ", ""},
		{"server (the primary server that takes dynamic updates) [ns1.example.net:53]: ", "192.0.2.53:53"},
		{"key_name (the TSIG key's name) [lifeboat]: ", ""},
		{"key_alg (the TSIG key's algorithm) [hmac-sha256]: ", ""},
		{"dns 3 name (Enter when done): ", ""},
		{"service 1 name [www]: ", ""},
		{"records, comma-separated (@ is the apex) [www]: ", "www,@"},
		{"candidates in order, comma-separated [hetzner,digitalocean]: ", ""},
		{"health check path [/]: ", "/healthz"},
		{"service 2 name (Enter when done): ", ""},
	} {
		c.answer(t, &from, qa[0], qa[1])
	}
	if err := cmd.Wait(); err != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("init on a terminal: %v\n%s", err, c.buf.String())
	}
	want, got := readFile(t, filepath.Join(flagsDir, "lifeboat.hcl")), readFile(t, filepath.Join(ttyDir, "lifeboat.hcl"))
	if !bytes.Equal(got, want) {
		t.Fatalf("the terminal's answers gave\n%s\nthe flags\n%s", got, want)
	}
	for _, p := range []string{"hetzner", "digitalocean"} {
		ws := filepath.Join("infra", p, "main.tf")
		if !bytes.Equal(readFile(t, filepath.Join(ttyDir, ws)), readFile(t, filepath.Join(flagsDir, ws))) {
			t.Errorf("%s differs", ws)
		}
	}
}
