package testharness

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// SeaweedFS stores an object put with the identity's keys, lists it with
// its size and a LastModified near now, returns its bytes, and refuses a
// request signed with another secret key.
func TestS3PutListGet(t *testing.T) {
	s := StartS3(t)
	s.MakeBucket(t, "harness")
	body := []byte("backup bytes")
	before := time.Now().Add(-2 * time.Second)
	s.Put(t, "harness", "db/2026-12-07.dump", body)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cli := s.Client(t)
	var got []minio.ObjectInfo
	for o := range cli.ListObjects(ctx, "harness", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list: %v", o.Err)
		}
		got = append(got, o)
	}
	if len(got) != 1 || got[0].Key != "db/2026-12-07.dump" || got[0].Size != int64(len(body)) {
		t.Fatalf("listed %+v, want the one object of %d bytes", got, len(body))
	}
	if lm := got[0].LastModified; lm.Before(before) || lm.After(time.Now().Add(2*time.Second)) {
		t.Errorf("LastModified %v, want about now", lm)
	}
	obj, err := cli.GetObject(ctx, "harness", "db/2026-12-07.dump", minio.GetObjectOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	data, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(data, body) {
		t.Fatalf("get = %q, %v; want %q", data, err, body)
	}

	u := s.Endpoint()[len("http://"):]
	bad, err := minio.New(u, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey(), s.SecretKey()+"x", ""),
		Region: "us-east-1", BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	var badErr error
	for o := range bad.ListObjects(ctx, "harness", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err == nil {
			t.Fatalf("a wrong secret key listed %q; want the request refused", o.Key)
		}
		badErr = o.Err
	}
	if code := minio.ToErrorResponse(badErr).Code; code != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret key: error %v (code %q), want SignatureDoesNotMatch", badErr, code)
	}
}
