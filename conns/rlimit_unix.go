//go:build unix

package conns

import "syscall"

// RaiseFileLimit raises the soft limit on open files to the hard one, as
// far as the system lets it, and returns the soft limit now in force (0
// when it cannot be read). Every connection, and every file a download
// sends, is a descriptor; the soft limit is often 1024 while the hard one
// is far higher. The Go runtime already raises it on Linux; this does so
// on every Unix, and reports the number the connection cap is derived
// from.
func RaiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= lim.Max {
		return uint64(lim.Cur), nil
	}
	want := lim
	want.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		// macOS refuses more than OPEN_MAX when the hard limit is
		// unlimited; the old soft limit stays in force.
		return uint64(lim.Cur), err
	}
	return uint64(want.Cur), nil
}

// FileLimit is the soft limit on open files (0 when it cannot be read).
func FileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return uint64(lim.Cur)
}
