package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// BucketConfig says which S3-compatible bucket holds the blobs.
type BucketConfig struct {
	Bucket   string
	Endpoint string // host:port; empty means AWS S3
	Secure   bool   // https
	Region   string
	// AccessKey and SecretKey sign the requests; empty means the standard
	// AWS variables, then the machine's IAM role.
	AccessKey, SecretKey string
	// TempDir holds a large blob while its sha256 (its key) is computed,
	// before it is sent; empty means the system's.
	TempDir string
	// MaxRetries is how often a failed request is tried again; 0 means
	// the client's default (10).
	MaxRetries int
}

// ParseBucketURL reads s3://BUCKET?endpoint=http://HOST:PORT&region=R.
func ParseBucketURL(s string) (BucketConfig, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return BucketConfig{}, fmt.Errorf("ADUAN_BLOB_URL %q: want s3://BUCKET?endpoint=http://HOST:PORT&region=R", redact(s))
	}
	if u.User != nil {
		return BucketConfig{}, errors.New("ADUAN_BLOB_URL: put the keys in ADUAN_S3_ACCESS_KEY and ADUAN_S3_SECRET_KEY, not in the URL")
	}
	cfg := BucketConfig{Bucket: u.Host, Region: u.Query().Get("region"), Secure: true}
	if ep := u.Query().Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return BucketConfig{}, fmt.Errorf("ADUAN_BLOB_URL: endpoint %q: want http://HOST:PORT or https://HOST", ep)
		}
		cfg.Endpoint, cfg.Secure = e.Host, e.Scheme == "https"
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "s3.amazonaws.com"
	}
	return cfg, nil
}

// Bucket keeps blobs as objects named by their sha256 in an S3-compatible
// object store, which every machine running Aduan reaches. An object is
// written once: a Put of bytes the bucket already holds sends nothing
// (see touchAfter). Put returns only once the store answered that it has
// the object, whose bytes it checked against the sha256 sent with them;
// Open checks them again as they are read.
type Bucket struct {
	client  *minio.Client
	core    minio.Core
	bucket  string
	tempDir string
}

// NewBucket connects to the bucket cfg names, which must exist.
func NewBucket(ctx context.Context, cfg BucketConfig) (*Bucket, error) {
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	if cfg.AccessKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{},
			&credentials.IAM{Client: &http.Client{Transport: http.DefaultTransport}}})
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region,
		BucketLookup: minio.BucketLookupPath, MaxRetries: cfg.MaxRetries})
	if err != nil {
		return nil, fmt.Errorf("blob bucket: %w", err)
	}
	b := &Bucket{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, tempDir: cfg.TempDir}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	switch {
	case err != nil:
		return nil, fmt.Errorf("blob bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	case !ok:
		return nil, fmt.Errorf("blob bucket %s at %s does not exist", cfg.Bucket, cfg.Endpoint)
	}
	return b, nil
}

// touchAfter is how old an object may be before a Put of its bytes
// renews its date (a copy onto itself that replaces its metadata, no
// bytes sent). Retention deletes an object no row names only when it is
// older than its grace (an hour): the renewed date keeps bytes that came
// in again, for a row not yet committed, from being deleted under it.
const touchAfter = 10 * time.Minute

// seenAgain is the metadata a renewal writes: not every store gives a
// copy onto itself a new Last-Modified.
const seenAgain = "Seen-Again"

// written is when an object was last written or renewed.
func written(info minio.ObjectInfo) time.Time {
	w := info.LastModified
	if t, err := time.Parse(time.RFC3339Nano, info.UserMetadata[seenAgain]); err == nil && t.After(w) {
		w = t
	}
	return w
}

// requestTimeout bounds one request for a blob of size bytes: a minute,
// and a second for each MiB, so a stalled store fails the caller instead
// of holding it.
func requestTimeout(size int64) time.Duration {
	return time.Minute + time.Duration(size>>20)*time.Second
}

// Put stores r's bytes as the object named by their sha256, unless the
// bucket has it already, and returns once the store has it. The upload
// asks the store to write only when no such object exists (If-None-Match),
// so new bytes, by far the most, take one request; a store that does not
// know the condition writes the same bytes again, which is harmless.
func (b *Bucket) Put(r io.Reader) (sum string, size int64, err error) {
	sp, err := newSpool(r, b.tempDir)
	if err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	defer sp.Close()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout(sp.size))
	defer cancel()
	err = b.send(ctx, sp, true)
	if err == nil {
		return sp.sum, sp.size, nil
	}
	// Refused because the object exists (or the answer was lost): see what is there.
	info, serr := b.client.StatObject(ctx, b.bucket, sp.sum, minio.StatObjectOptions{})
	switch {
	case serr == nil && info.Size == sp.size && time.Since(written(info)) < touchAfter:
		return sp.sum, sp.size, nil
	case serr == nil && info.Size == sp.size:
		if serr = b.touch(ctx, sp.sum); serr == nil {
			return sp.sum, sp.size, nil
		}
	case serr == nil: // not the bytes it is named after: replace them
		if serr = b.send(ctx, sp, false); serr == nil {
			return sp.sum, sp.size, nil
		}
	}
	if minio.ToErrorResponse(err).Code != minio.PreconditionFailed || serr == nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	return "", 0, fmt.Errorf("store blob: %w", serr)
}

// send uploads a spooled blob in one request carrying its sha256, which
// the store checks the bytes against before it keeps the object: bytes
// cut off or damaged on the way are refused, never stored as whole. With
// onlyNew the store is asked to keep them only if it has no such object.
func (b *Bucket) send(ctx context.Context, sp *spool, onlyNew bool) error {
	body, err := sp.reader()
	if err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true}
	if onlyNew {
		opts.SetMatchETagExcept("*")
	}
	_, err = b.core.PutObject(ctx, b.bucket, sp.sum, body, sp.size, "", sp.sum, opts)
	return err
}

// touch renews an object's date without sending its bytes again.
func (b *Bucket) touch(ctx context.Context, sum string) error {
	_, err := b.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: b.bucket, Object: sum, ReplaceMetadata: true,
			UserMetadata: map[string]string{seenAgain: time.Now().UTC().Format(time.RFC3339Nano)}},
		minio.CopySrcOptions{Bucket: b.bucket, Object: sum})
	return err
}

// missing says whether err is the store's "no such object".
func missing(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == minio.NoSuchKey || code == "NotFound"
}

// Open returns the object stored under sum, checked as it is read.
func (b *Bucket) Open(sum string) (io.ReadSeekCloser, error) {
	if !ValidSum(sum) {
		return nil, notFound()
	}
	obj, err := b.client.GetObject(context.Background(), b.bucket, sum, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if missing(err) {
			return nil, notFound()
		}
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return newVerifying(obj, sum, info.Size), nil
}

// Sync does nothing: Put returns only once the store has the object.
func (b *Bucket) Sync() error { return nil }

// Delete removes the object stored under sum unless it was written (or
// renewed by a Put) at or after writtenBefore, and reports whether it is
// gone (true as well for one that was not there).
func (b *Bucket) Delete(ctx context.Context, sum string, writtenBefore time.Time) (bool, error) {
	if !ValidSum(sum) {
		return false, fmt.Errorf("delete blob: %q is not a sha256", sum)
	}
	info, err := b.client.StatObject(ctx, b.bucket, sum, minio.StatObjectOptions{})
	if missing(err) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("delete blob: %w", err)
	}
	if !written(info).Before(writtenBefore) {
		return false, nil
	}
	if err := b.client.RemoveObject(ctx, b.bucket, sum, minio.RemoveObjectOptions{}); err != nil && !missing(err) {
		return false, fmt.Errorf("delete blob: %w", err)
	}
	return true, nil
}

// String names the bucket, for logs.
func (b *Bucket) String() string {
	return "s3://" + b.bucket + " at " + strings.TrimSuffix(b.client.EndpointURL().String(), "/")
}
