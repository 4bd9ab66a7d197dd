package durability_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pacer/durability"
	"pacer/storage/postgres/pgtest"

	// The suites run a binary they build themselves, which go test's result
	// cache cannot see. Linking the server (and so every package it wires)
	// into the test binary makes a change to any of them re-run the suites
	// instead of replaying a cached pass; main.go is stat'ed in pacerBinary
	// for the same reason.
	_ "pacer/server"
)

var (
	buildOnce sync.Once
	binDir    string
	bin       string
	buildErr  error
)

// TestMain removes the binary the suites built.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// pacerBinary skips under -short and otherwise returns the pacer command,
// built once per package run.
func pacerBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("durability suites start real server processes (several seconds each); skipped with -short")
	}
	if _, err := os.Stat(filepath.Join("..", "main.go")); err != nil {
		t.Fatalf("the suites run from durability/ in the pacer module: %v", err)
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "pacer-durability-bin-*"); buildErr != nil {
			return
		}
		bin, buildErr = durability.Build(binDir)
	})
	if buildErr != nil {
		t.Fatalf("build the pacer command: %v", buildErr)
	}
	return bin
}

// reportProblems fails t with at most 20 of the problems found.
func reportProblems(t *testing.T, problems []string) {
	t.Helper()
	for i, p := range problems {
		if i == 20 {
			t.Errorf("... and %d more", len(problems)-20)
			break
		}
		t.Error(p)
	}
}
