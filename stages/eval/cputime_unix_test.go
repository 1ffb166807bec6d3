//go:build unix

package eval

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used so far (user and system, all
// threads): benchmarks report it per row, since on a shared machine the wall
// time also counts the time other processes ran.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
