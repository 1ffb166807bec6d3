//go:build !unix

package runner

// processUsage is not measured on this platform.
func processUsage() (cpuSeconds float64, peakRSS int64) { return 0, 0 }
