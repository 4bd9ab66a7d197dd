package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The CPU each side of a measurement used, read from /proc (Linux), so
// that a capacity model can say what a request costs the replicas and
// what it costs PostgreSQL, on a machine where both share the cores.

// cpuUse is the CPU time used by the replica processes and by every
// PostgreSQL server process of the machine.
type cpuUse struct{ replicas, postgres time.Duration }

func (a cpuUse) sub(b cpuUse) cpuUse {
	return cpuUse{replicas: a.replicas - b.replicas, postgres: a.postgres - b.postgres}
}

func (a cpuUse) add(b cpuUse) cpuUse {
	return cpuUse{replicas: a.replicas + b.replicas, postgres: a.postgres + b.postgres}
}

// clockTick is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on
// every Linux this tool runs on).
const clockTick = 10 * time.Millisecond

// procCPU is the user and system time process pid has used; 0 when it
// cannot be read (a process that ended, or no /proc).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are counted
	// from its closing parenthesis: utime and stime are the 12th and 13th.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * clockTick
}

// postgresCPU is the CPU time of every process named postgres: the
// server, its backends (ended backends' time is lost, so connections that
// live through the measurement are what it sees: the replicas' pools).
func postgresCPU() time.Duration {
	var total time.Duration
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", d.Name(), "comm"))
		if err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			total += procCPU(pid)
		}
	}
	return total
}

// meterOf returns a reading of the CPU used so far by the replicas (by
// their pids) and by PostgreSQL.
func meterOf(pids func() []int) func() cpuUse {
	return func() cpuUse {
		var u cpuUse
		for _, pid := range pids() {
			u.replicas += procCPU(pid)
		}
		u.postgres = postgresCPU()
		return u
	}
}
