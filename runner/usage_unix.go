//go:build unix

package runner

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
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
	if hwm, ok := highWaterMark(); ok {
		return cpu, hwm
	}
	rss := int64(u.Maxrss)
	if runtime.GOOS != "darwin" {
		rss *= 1024 // Linux and the BSDs report kilobytes; macOS, bytes
	}
	return cpu, rss
}

// highWaterMark reads the peak RSS of this process's own memory from
// /proc (Linux). getrusage's figure carries over the high-water mark of
// whatever ran before the exec, which for a child of a Go program is the
// parent's memory (Go starts children sharing it), so a small runner
// started by a large parent would report the parent's peak.
func highWaterMark() (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}
