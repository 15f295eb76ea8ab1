package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// s3Retries is how often the client tries one request: a few, since the
// caller's context bounds the whole wait anyway (minio-go's default is 10).
const s3Retries = 3

// s3Store holds backups as objects of one bucket of an S3-compatible
// store. Keys are flat: every object whose key starts with the prefix is a
// backup, whatever "/" it holds ("folders" are only a way of writing keys),
// except zero-length keys ending in "/" (folder markers some tools write).
type s3Store struct {
	name   string // the backup block's
	where  string // "bucket B at HOST", for messages
	bucket string
	prefix string
	cli    *minio.Client
	scrub  *scrubber
}

func newS3Store(block string, c *config.S3Backup, prefix string, scrub *scrubber) (*s3Store, error) {
	if c.Bucket == "" {
		return nil, fmt.Errorf("backup %q: s3 has no bucket", block)
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		// The endpoint itself may come from env(); only its redacted form is shown.
		return nil, fmt.Errorf("backup %q: s3 endpoint %q: want https://host[:port] (or http://)", block, scrub.text(c.Endpoint))
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return nil, fmt.Errorf("backup %q: s3 needs both access_key and secret_key, or neither (anonymous)", block)
	}
	region := c.Region
	if region == "" {
		region = config.DefaultS3Region
	}
	var creds *credentials.Credentials
	if c.AccessKey != "" {
		creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")
	} else {
		creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	cli, err := minio.New(u.Host, &minio.Options{
		Creds:  creds,
		Secure: u.Scheme == "https",
		// A region given, minio-go does not ask the bucket for its location.
		Region: region,
		// Custom endpoints (MinIO, SeaweedFS, Ceph, ...) seldom have a DNS
		// name per bucket; AWS and the big vendors accept paths too.
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   s3Retries,
	})
	if err != nil {
		return nil, scrub.wrap(err, "backup %q: s3 client", block)
	}
	return &s3Store{name: block, where: fmt.Sprintf("bucket %q at %s", c.Bucket, scrub.text(u.Host)),
		bucket: c.Bucket, prefix: prefix, cli: cli, scrub: scrub}, nil
}

func (s *s3Store) Newest(ctx context.Context) (Object, error) {
	// Cancelled on return, so stopping early (the cap, an error) also
	// stops minio-go's listing goroutine.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var best Object
	found, seen := false, 0
	for o := range s.cli.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if o.Err != nil {
			return Object{}, s.scrub.wrap(clientError(ctx, o.Err), "backup %q: list %s", s.name, s.where)
		}
		if strings.HasSuffix(o.Key, "/") && o.Size == 0 {
			continue
		}
		seen++
		if seen > maxObjects {
			return Object{}, fmt.Errorf("backup %q: more than %d objects with prefix %q in %s: %w", s.name, maxObjects, s.prefix, s.scrub.text(s.where), ErrTooMany)
		}
		obj := Object{Name: o.Key, Size: o.Size, Modified: o.LastModified}
		if !found || newer(obj, best) {
			best, found = obj, true
		}
	}
	// A listing cut short by the context ends without an error item.
	if err := ctx.Err(); err != nil {
		return Object{}, s.scrub.wrap(err, "backup %q: list %s", s.name, s.where)
	}
	if !found {
		return Object{}, fmt.Errorf("backup %q: no object with prefix %q in %s: %w", s.name, s.prefix, s.where, ErrNoBackup)
	}
	return best, nil
}

func (s *s3Store) Fetch(ctx context.Context, name string, w io.Writer) error {
	if !strings.HasPrefix(name, s.prefix) || name == "" {
		return fmt.Errorf("backup %q: %q is outside prefix %q: %w", s.name, name, s.prefix, ErrNotFound)
	}
	obj, err := s.cli.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return s.scrub.wrap(clientError(ctx, err), "backup %q: get %q from %s", s.name, name, s.where)
	}
	defer obj.Close()
	if _, err := io.Copy(w, obj); err != nil {
		return s.scrub.wrap(clientError(ctx, err), "backup %q: get %q from %s", s.name, name, s.where)
	}
	return nil
}

// clientError adds ErrNotFound to a missing key's error, and the context's
// error to one that ended because the context did, so callers can branch
// with errors.Is.
func clientError(ctx context.Context, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
