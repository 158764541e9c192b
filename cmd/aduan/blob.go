package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/blob"
)

const blobUsage = "usage: aduan blob copy [--from DATA_DIR] [--workers N]"

// blobCommand runs `aduan blob copy`: it moves a data directory's blobs
// into the bucket ADUAN_BLOB_URL names, checking each one read back, and
// may be run again (what is there whole is skipped) until it reports no
// failure; then every process can be switched to the bucket.
func blobCommand(ctx context.Context, cfg app.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError{blobUsage}
	}
	fs := flag.NewFlagSet("blob copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", cfg.DataDir, "the data directory whose blobs/ folder is copied")
	workers := fs.Int("workers", 8, "blobs copied at once")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *workers < 1 {
		return usageError{blobUsage}
	}
	if !strings.HasPrefix(cfg.Blob.URL, "s3://") {
		return usageError{"aduan blob copy: set ADUAN_BLOB_URL to the bucket to copy into (s3://BUCKET?endpoint=…)"}
	}
	bc, err := blob.ParseBucketURL(cfg.Blob.URL)
	if err != nil {
		return err
	}
	bc.AccessKey, bc.SecretKey = cfg.Blob.AccessKey, cfg.Blob.SecretKey
	to, err := blob.NewBucket(ctx, bc)
	if err != nil {
		return err
	}
	dir, err := blob.NewDir(*from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copying %s into %s\n", dir, to)
	c, err := blob.Copy(ctx, dir, to, *workers, func(sum string, err error) {
		fmt.Fprintf(stderr, "not copied: %s: %v\n", sum, err)
	})
	fmt.Fprintf(stdout, "copied %d (%d bytes), already there %d, corrupt in the folder %d, failed %d\n",
		c.Copied, c.Bytes, c.Present, c.Corrupt, c.Failed)
	if err != nil {
		return err
	}
	if c.Failed > 0 {
		return errors.New("some blobs were not copied: run the command again")
	}
	if c.Corrupt > 0 {
		fmt.Fprintln(stdout, "corrupt files hold bytes that do not match their name (cut short by a crash); they were left out")
	}
	return nil
}
