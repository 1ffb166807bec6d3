//go:build unix

package runner

import (
	"runtime"
	"syscall"
)

// processUsage returns the CPU seconds (user and system) this process has
// used and its peak resident set size in bytes.
func processUsage() (cpuSeconds float64, peakRSS int64) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, 0
	}
	cpu := float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
	rss := int64(u.Maxrss)
	if runtime.GOOS != "darwin" {
		rss *= 1024 // Linux and the BSDs report kilobytes; macOS, bytes
	}
	return cpu, rss
}
