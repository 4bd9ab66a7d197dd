package auth_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pacer/auth"
)

func TestKeyDirKeepsTheKeyOfAnExistingDataDirectory(t *testing.T) {
	dir := t.TempDir()
	old := bytes.Repeat([]byte("k"), 64)
	if err := os.WriteFile(filepath.Join(dir, auth.KeyFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := auth.LoadKey(dir, "")
	if err != nil || !bytes.Equal(key, old) {
		t.Fatalf("LoadKey = %q, %v; want the file's key", key, err)
	}
}

func TestKeyDirCreatesOneKeyForEveryoneAskingAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			fresh, err := auth.NewKey()
			if err != nil {
				t.Error(err)
				return
			}
			keys[i], err = auth.KeyFrom(context.Background(), auth.KeyDir(dir), "", fresh)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range keys {
		if len(keys[i]) < auth.MinKeyBytes || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("key %d differs from key 0", i)
		}
	}
	st, err := os.Stat(filepath.Join(dir, auth.KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	again, err := auth.LoadKey(dir, "")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatal("the next start read another key")
	}
}

func TestKeyFromPrefersTheConfiguredSecret(t *testing.T) {
	dir := t.TempDir()
	secret := "a-configured-secret-of-enough-bytes-0123"
	key, err := auth.LoadKey(dir, secret)
	if err != nil || string(key) != secret {
		t.Fatalf("LoadKey = %q, %v", key, err)
	}
	if _, err := os.Stat(filepath.Join(dir, auth.KeyFile)); !os.IsNotExist(err) {
		t.Fatal("a key file was written though a secret is configured")
	}
	if _, err := auth.LoadKey(dir, "short"); err == nil {
		t.Fatal("a short secret was accepted")
	}
}
