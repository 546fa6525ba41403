package netctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// running lists the pids whose command line holds the argument arg.
func running(t *testing.T, arg string) []int {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		for _, a := range bytes.Split(raw, []byte{0}) {
			if string(a) == arg {
				pid, _ := strconv.Atoi(filepath.Base(d))
				if _, state, err := procStart(pid); err == nil && state != "Z" {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

// A child whose pid file cannot be written is killed, not leaked in its own session untracked.
func TestStart_PidFileFailureKillsTheChild(t *testing.T) {
	bin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	n := &Network{Dir: t.TempDir()}
	// A unique argument finds the child in /proc.
	arg := fmt.Sprintf("300.%d", time.Now().UnixNano()%1000000)
	p := &Process{Name: "leak", Kind: "test", Bin: bin, Args: []string{arg}, Host: "127.0.0.1"}
	// The pid file's path is a directory that is not empty: renaming a file onto it fails, whoever
	// runs the test (a read-only directory would not stop root).
	if err := os.MkdirAll(filepath.Join(n.pidFile(p.Name), "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = n.Start(p)
	if err == nil {
		t.Fatal("Start succeeded without a pid file")
	}
	t.Log(err)
	if pids := running(t, arg); len(pids) > 0 {
		for _, pid := range pids {
			if proc, err := os.FindProcess(pid); err == nil {
				_ = proc.Kill()
			}
		}
		t.Fatalf("the child %v still runs after Start failed", pids)
	}
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(n.pidFile(p.Name)), ".*.tmp*"))
	if len(tmps) > 0 {
		t.Errorf("temporary pid files left: %v", tmps)
	}
}

// A started child has a complete pid file, and Pid finds it.
func TestStart_WritesThePidFile(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	p := sleeper(t, "ok")
	if err := n.Start(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(p, time.Second) })
	if n.Pid(p) == 0 {
		t.Fatal("Pid does not find the started child")
	}
	fi, err := os.Stat(n.pidFile(p.Name))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("pid file %v %v", fi, err)
	}
}

// waitFor ends as soon as its context does, not at its deadline.
func TestWaitFor_EndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	began := time.Now()
	err := waitFor(ctx, time.Minute, 20*time.Millisecond, func() error { return errors.New("not yet") })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("waitFor returned %v after the cancel", d)
	}
	if err := waitFor(ctx, time.Minute, time.Millisecond, func() error { t.Error("checked after the cancel"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
}

// An interrupt during a step's wait ends up at once, reported as an interrupt.
func TestRunSteps_InterruptDuringAWait(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	steps := []upStep{{name: "wait", run: func() error {
		return waitFor(ctx, time.Minute, 20*time.Millisecond, func() error { return errors.New("not yet") })
	}}}
	began := time.Now()
	if err := n.runSteps(ctx, steps, &state{}); !errors.Is(err, errInterrupted) {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("up returned %v after the interrupt", d)
	}
}
