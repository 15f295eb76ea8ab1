package testharness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// WeedEnv names the variable that points the tests at a SeaweedFS `weed`
// binary of the caller's choice instead of the one `make tools` builds.
const WeedEnv = "LIFEBOAT_WEED"

const weedHint = "run `make tools` (builds SeaweedFS into .tools/bin/weed)"

// s3ReadyTimeout bounds the wait for a first object PUT: SeaweedFS accepts
// bucket PUTs about 2 s after start but object PUTs only after about 11 s
// (its volume server registers late), more on a loaded machine.
const s3ReadyTimeout = 90 * time.Second

// S3 is a real S3-compatible server (SeaweedFS: master, volume server,
// filer and S3 gateway in one `weed server` process) on free ports of
// 127.0.0.1, in a temporary directory, with one identity whose access and
// secret keys are random per server, so unsigned or wrongly signed
// requests are refused.
type S3 struct {
	endpoint  string
	accessKey string
	secretKey string
	dir       string
	logPath   string

	ports []int
	cmd   *exec.Cmd
	done  chan struct{} // closed when the process has exited
	once  sync.Once
}

// FindWeed returns $LIFEBOAT_WEED or <repo>/.tools/bin/weed, Requiring it.
func FindWeed(t testing.TB) string {
	t.Helper()
	Real(t, "SeaweedFS")
	bin := filepath.Join(RepoRoot(t), ".tools", "bin", "weed")
	if env := os.Getenv(WeedEnv); env != "" {
		p, err := exec.LookPath(env)
		if err != nil {
			Require(t, "weed ($"+WeedEnv+"="+env+")", "point "+WeedEnv+" at a SeaweedFS binary, or unset it and "+weedHint)
		}
		bin = p
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		Require(t, "SeaweedFS ("+bin+")", weedHint)
	}
	return bin
}

// StartS3 starts SeaweedFS with its S3 gateway on 127.0.0.1, waits
// (bounded) until it stores an object, and stops it on t.Cleanup. Its log
// is printed when the test fails.
func StartS3(t testing.TB) *S3 {
	t.Helper()
	bin := FindWeed(t)
	// Short: the Unix sockets of filer and gateway live here (108-byte limit).
	dir, err := os.MkdirTemp("/tmp", "lifeboat-s3")
	if err != nil {
		t.Fatalf("testharness: s3 directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &S3{
		accessKey: "LB" + strings.ToUpper(randomPassword(t)[:18]),
		secretKey: randomPassword(t),
		dir:       dir,
		logPath:   filepath.Join(dir, "weed.log"),
		done:      make(chan struct{}),
	}
	identities := map[string]any{"identities": []any{map[string]any{
		"name":        "lifeboat",
		"credentials": []any{map[string]string{"accessKey": s.accessKey, "secretKey": s.secretKey}},
		"actions":     []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}}
	conf, err := json.Marshal(identities)
	if err != nil {
		t.Fatalf("testharness: s3 identities: %v", err)
	}
	writeFile(t, dir, "s3.json", conf, 0o600)
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatalf("testharness: s3 data directory: %v", err)
	}

	// Every port explicit (gRPC ones too: by default each is its HTTP port
	// + 10000, which may be taken); weed keeps gRPC sockets named by port
	// under /tmp, so distinct free ports also keep two servers apart.
	ports := make([]int, 8)
	for i := range ports {
		ports[i] = freeTCPPort(t, ports[:i])
	}
	s.ports = ports
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	s.endpoint = "http://127.0.0.1:" + p(6)
	args := []string{"server",
		"-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + p(0), "-master.port.grpc=" + p(1),
		"-master.telemetry=false", "-master.volumeSizeLimitMB=64",
		"-volume.port=" + p(2), "-volume.port.grpc=" + p(3),
		"-filer", "-filer.port=" + p(4), "-filer.port.grpc=" + p(5),
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"),
		"-s3", "-s3.port=" + p(6), "-s3.port.grpc=" + p(7),
		"-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
		"-s3.config=" + filepath.Join(dir, "s3.json"),
		"-s3.port.iceberg=0", "-s3.port.lance=0",
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("testharness: s3 log: %v", err)
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Its own process group, so Stop reaches every child it may start.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("testharness: start weed: %v", err)
	}
	go func() {
		s.cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("SeaweedFS log %s:\n%s", s.logPath, s.Log())
		}
	})
	if err := s.waitReady(); err != nil {
		t.Fatalf("testharness: SeaweedFS on %s: %v\n%s", s.endpoint, err, s.Log())
	}
	return s
}

// waitReady PUTs and deletes an object in a bucket of its own until that
// works: the port answering is not enough (see s3ReadyTimeout).
func (s *S3) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), s3ReadyTimeout)
	defer cancel()
	cli, err := s.client()
	if err != nil {
		return err
	}
	const bucket = "lifeboat-harness-ready"
	var last error
	for ctx.Err() == nil {
		select {
		case <-s.done:
			return fmt.Errorf("weed exited before it was ready (last error: %v)", last)
		default:
		}
		last = func() error {
			rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
			defer rcancel()
			if err := cli.MakeBucket(rctx, bucket, minio.MakeBucketOptions{}); err != nil {
				if code := minio.ToErrorResponse(err).Code; code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
					return err
				}
			}
			body := []byte("ready")
			if _, err := cli.PutObject(rctx, bucket, "ready", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
				return err
			}
			if err := cli.RemoveObject(rctx, bucket, "ready", minio.RemoveObjectOptions{}); err != nil {
				return err
			}
			return cli.RemoveBucket(rctx, bucket)
		}()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-s.done:
		case <-time.After(250 * time.Millisecond):
		}
	}
	return fmt.Errorf("not storing objects within %s: %v", s3ReadyTimeout, last)
}

// Endpoint is the S3 gateway's URL, http://127.0.0.1:PORT.
func (s *S3) Endpoint() string { return s.endpoint }

// AccessKey is the identity's access key.
func (s *S3) AccessKey() string { return s.accessKey }

// SecretKey is the identity's secret key.
func (s *S3) SecretKey() string { return s.secretKey }

// Client returns a minio-go client for the server, signed with the
// identity's keys, path-style, few retries.
func (s *S3) Client(t testing.TB) *minio.Client {
	t.Helper()
	cli, err := s.client()
	if err != nil {
		t.Fatalf("testharness: s3 client: %v", err)
	}
	return cli
}

func (s *S3) client() (*minio.Client, error) {
	u, err := url.Parse(s.endpoint)
	if err != nil {
		return nil, err
	}
	return minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(s.accessKey, s.secretKey, ""),
		Region:       "us-east-1",
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   2,
	})
}

// MakeBucket creates bucket name; a failure fails the test.
func (s *S3) MakeBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Client(t).MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("testharness: s3 make bucket %q: %v", name, err)
	}
}

// Put stores body as bucket/key; a failure fails the test. The server sets
// LastModified, with one-second resolution.
func (s *S3) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client(t).PutObject(ctx, bucket, key, bytes.NewReader(body), int64(len(body)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
		t.Fatalf("testharness: s3 put %s/%s: %v", bucket, key, err)
	}
}

// Stop kills the server and waits (bounded) for it to exit; calling it
// again does nothing. weed ignores SIGTERM for over 10 s, and tests keep
// nothing in it worth a clean shutdown, so it gets SIGKILL after a short
// grace.
func (s *S3) Stop() {
	s.once.Do(func() {
		pgid := s.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.done:
			return
		case <-time.After(500 * time.Millisecond):
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
		}
		// Killed, it leaves its gRPC sockets behind in /tmp, named by port.
		for _, port := range s.ports {
			for _, role := range []string{"master", "volume", "filer", "s3"} {
				os.Remove(fmt.Sprintf("/tmp/seaweedfs-%s-grpc-%d.sock", role, port))
			}
		}
	})
}

// Log returns the tail of the server's log, for failure messages.
func (s *S3) Log() string {
	data, _ := os.ReadFile(s.logPath)
	if len(data) > 6000 {
		data = data[len(data)-6000:]
	}
	return string(bytes.TrimSpace(data))
}

// freeTCPPort returns a free TCP port of 127.0.0.1 not in taken.
func freeTCPPort(t testing.TB, taken []int) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testharness: listen on 127.0.0.1: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !slices.Contains(taken, port) {
			return port
		}
	}
	t.Fatalf("testharness: no free TCP port on 127.0.0.1")
	return 0
}
