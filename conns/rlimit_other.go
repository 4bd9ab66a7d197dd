//go:build !unix

package conns

// RaiseFileLimit does nothing where there is no RLIMIT_NOFILE.
func RaiseFileLimit() (uint64, error) { return 0, nil }

// FileLimit is 0 (unknown) where there is no RLIMIT_NOFILE.
func FileLimit() uint64 { return 0 }
