package embedded

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
)

// lockName is the file in the store's directory that the running store
// holds locked; it contains the holder's pid.
const lockName = "runner.lock"

// InUseError is returned by Start when another runner holds the directory.
type InUseError struct {
	Dir string
	// PID is the holder's process id, 0 when it has not written it yet.
	PID int
	// Hint says how to recover when the lock can outlive its holder.
	Hint string
}

func (e *InUseError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	msg := fmt.Sprintf("the embedded store in %s is in use by another runner (%s)", e.Dir, pid)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// readPID returns the pid written in a lock file, or 0.
func readPID(r io.Reader) int {
	b, err := io.ReadAll(io.LimitReader(r, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil {
		return 0
	}
	return pid
}

// writePID replaces the content of the lock file with this process's pid.
func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("writing the pid to %s: %w", f.Name(), err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return fmt.Errorf("writing the pid to %s: %w", f.Name(), err)
	}
	return nil
}
