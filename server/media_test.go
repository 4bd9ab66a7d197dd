package server_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
	"pacer/server"
)

// readyz follows the media bucket as it follows the store: 503 while the
// S3 server is down, 200 once it is back, and uploads work again.
func TestReadinessFollowsTheMediaBucket(t *testing.T) {
	env := pacertest.NewS3(t)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	env.S3.Stop()
	r := env.Do("GET", "/readyz", "", nil)
	if r.Status != 503 || r.ErrCode() != "unavailable" || !strings.Contains(string(r.Body), "media storage") {
		t.Fatalf("readyz with the bucket unreachable: %d %s", r.Status, r.Body)
	}
	env.S3.Restart(t)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz once the bucket is back: %d %s", r.Status, r.Body)
	}
	teacher := env.Register("Teacher")
	course := env.Course(teacher, nil)
	pdf := "%PDF-1.4\n% back\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	r = env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media", course), teacher.Token, pdf, map[string]string{"Content-Type": "application/pdf"})
	if r.Status != 201 {
		t.Fatalf("upload after the outage: %d %s", r.Status, r.Body)
	}
}

// A --media the server cannot use stops it at start with a message that
// says what is wrong, and never echoes a secret.
func TestABadMediaSettingRefusesToStart(t *testing.T) {
	for spec, want := range map[string]string{
		"ftp://bucket":                      "use file",
		"s3://":                             "no bucket",
		"s3://bucket/x?endpoint=minio:9000": "endpoint",
		"s3://bucket/x?colour=blue":         "unknown parameter",
		"s3://AKIA:hunter2@bucket/x?endpoint=http://h": "PACER_S3_ACCESS_KEY_ID",
	} {
		_, err := server.New(server.Config{DataDir: t.TempDir(), Media: spec, Argon2: pacertest.Cheap,
			JWTSecret: "test-secret-test-secret-test-secret-0123456789", S3SecretAccessKey: "hunter2"})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("--media %s: %v, want an error about %q", spec, err, want)
		}
	}
}
