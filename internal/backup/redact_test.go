package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// leakyStore stands in for a client whose errors quote what it was given.
type leakyStore struct{ err error }

func (l leakyStore) Newest(context.Context) (Object, error)         { return Object{}, l.err }
func (l leakyStore) Fetch(context.Context, string, io.Writer) error { return l.err }

// Whatever a store's error quotes, the S3 keys are hidden, and the
// error still unwraps to what it wrapped.
func TestErrorsHideKeys(t *testing.T) {
	const ak, sk = "AKIALEAKY", "s3cr3t/Key+value"
	scrub := newScrubber(&config.Config{}, &config.S3Backup{AccessKey: ak, SecretKey: sk})
	inner := fmt.Errorf("signing with %s:%s failed: %w", ak, sk, ErrNotFound)
	r := redacting{leakyStore{inner}, scrub}
	_, err := r.Newest(context.Background())
	ferr := r.Fetch(context.Background(), "x", io.Discard)
	for _, e := range []error{err, ferr} {
		if e == nil || strings.Contains(e.Error(), ak) || strings.Contains(e.Error(), sk) || !strings.Contains(e.Error(), "<hidden>") {
			t.Errorf("error %v: want both keys hidden", e)
		}
		if !errors.Is(e, ErrNotFound) {
			t.Errorf("error %v no longer unwraps to ErrNotFound", e)
		}
	}
	if got := (redacting{leakyStore{ErrNoBackup}, scrub}).Fetch(context.Background(), "x", io.Discard); got != ErrNoBackup {
		t.Errorf("an error without a secret came back as %v, want it unchanged", got)
	}
}

// An endpoint written with the keys in it is refused without quoting them.
func TestOpenEndpointWithKeys(t *testing.T) {
	const ak, sk = "AKIAINURL", "urlSecretKey"
	b := &config.Backup{Name: "b", S3: &config.S3Backup{Endpoint: "https://" + ak + ":" + sk + "@s3.example.net",
		Bucket: "bk", AccessKey: ak, SecretKey: sk}}
	_, err := Open(b, &config.Config{})
	if err == nil || strings.Contains(err.Error(), ak) || strings.Contains(err.Error(), sk) {
		t.Fatalf("Open = %v, want a refusal that does not quote the keys", err)
	}
}
