package netctl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes the data directory for this process until it exits: two commands that change one
// directory at once (an `org import` beside an `org up`, two `up`s) would each write state.json over
// the other's. A second one is refused at once rather than made to wait.
func (n *Network) Lock() error {
	if err := os.MkdirAll(n.Dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(n.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("another netctl is changing %s now: wait until it ends", n.Dir)
		}
		return err
	}
	n.mu.Lock()
	n.lock = f // held open, and so locked, until the process ends
	n.mu.Unlock()
	return nil
}
