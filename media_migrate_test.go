package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pacer/media/s3blobs/s3test"
	"pacer/pacertest"
	"pacer/server"
)

// `pacer migrate --media-to` copies the files of <data>/media into a
// bucket under their content addresses; a server started with --media on
// that bucket serves them, with the data directory's copies gone. A second
// run copies nothing.
func TestMigrateCopiesTheMediaFilesIntoABucket(t *testing.T) {
	// bbolt on both sides: the records stay where they are, the bytes move.
	src := pacertest.New(t, func(c *server.Config) { c.Store, c.Media = "bolt", "file" })
	teacher := src.Register("Teacher")
	course := src.Course(teacher, nil)
	var files [][]byte
	var ids []uint64
	for _, text := range []string{"syllabus", "reading list", "syllabus"} {
		pdf := []byte("%PDF-1.4\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		r := src.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media", course), teacher.Token, pdf, map[string]string{"Content-Type": "application/pdf"})
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		files, ids = append(files, pdf), append(ids, r.ID())
	}
	if err := src.Server.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	bucket := s3test.Start(t)
	url := bucket.URL("prod")
	var out bytes.Buffer
	if err := run([]string{"migrate", "--data", src.Dir, "--media-to", url}, nil, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "copied 2 media files") || !strings.Contains(out.String(), "(0 were in the bucket already)") {
		t.Fatalf("report: %s", out.String())
	}
	if keys := bucket.Keys(t, "prod/"); len(keys) != 2 {
		t.Fatalf("objects: %v", keys)
	}
	out.Reset()
	if err := run([]string{"migrate", "--data", src.Dir, "--media-to", url}, nil, &out, &out); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if !strings.Contains(out.String(), "copied 0 media files") || !strings.Contains(out.String(), "(2 were in the bucket already)") {
		t.Fatalf("second report: %s", out.String())
	}

	// The bucket alone now holds the bytes.
	if err := os.RemoveAll(filepath.Join(src.Dir, "media")); err != nil {
		t.Fatal(err)
	}
	dst := pacertest.New(t, func(c *server.Config) { c.DataDir, c.Store, c.Media = src.Dir, "bolt", url })
	teacher = dst.Login(teacher)
	for i, id := range ids {
		r := dst.Do("GET", fmt.Sprintf("/api/v1/media/%d", id), teacher.Token, nil)
		if r.Status != 200 || !bytes.Equal(r.Body, files[i]) {
			t.Fatalf("media %d from the bucket: %d %q", id, r.Status, r.Body)
		}
	}
}

func TestMigrateRefusesAMediaTargetItCannotUse(t *testing.T) {
	dir := t.TempDir()
	for args, want := range map[string]string{
		"--media-to file":                 "s3://bucket",
		"--media-to s3://b/x?colour=blue": "no media files",
		"":                                "usage",
	} {
		var out bytes.Buffer
		argv := append([]string{"migrate", "--data", dir}, strings.Fields(args)...)
		if err := run(argv, nil, &out, &out); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("migrate %s: %v, want an error about %q", args, err, want)
		}
	}
	// With files to copy, a bad URL is refused before anything is read.
	if err := os.MkdirAll(filepath.Join(dir, "media", "blobs"), 0o700); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"migrate", "--data", dir, "--media-to", "s3://b/x?colour=blue"}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "unknown parameter") {
		t.Errorf("a bad bucket URL: %v", err)
	}
}

// PACER_MEDIA is --media's twin, and a URL the server cannot use stops it
// before it listens.
func TestServeRefusesABadMediaURL(t *testing.T) {
	t.Setenv("PACER_MEDIA", "s3:///no-bucket")
	var out bytes.Buffer
	err := run([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "names no bucket") {
		t.Fatalf("serve: %v", err)
	}
}
