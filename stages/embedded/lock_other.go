//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// dirLock is a lock file created exclusively and removed on release. Unlike
// flock it outlives a crashed holder, so the error says how to clear it.
type dirLock struct{ path string }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		e := &InUseError{Dir: dir, Hint: "if no runner is using it, delete " + path}
		if held, err := os.Open(path); err == nil {
			e.PID = readPID(held)
			_ = held.Close()
		}
		return nil, e
	}
	if err != nil {
		return nil, fmt.Errorf("creating the embedded store's lock file: %w", err)
	}
	if err := errors.Join(writePID(f), f.Close()); err != nil {
		return nil, errors.Join(err, os.Remove(path))
	}
	return &dirLock{path: path}, nil
}

// release removes the lock file.
func (l *dirLock) release() error {
	if err := os.Remove(l.path); err != nil {
		return fmt.Errorf("releasing the lock %s: %w", l.path, err)
	}
	return nil
}
