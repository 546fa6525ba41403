package netctl

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// A component's memory counts the processes it started: a PostgreSQL server's work is done in
// processes it forks, which the postmaster's own smaps_rollup does not hold.
func TestReadMemory_CountsTheProcessesAComponentStarted(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 60 & sleep 60 & echo started; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kids := func() {
		for _, c := range descendants(cmd.Process.Pid) {
			if p, err := os.FindProcess(c); err == nil {
				_ = p.Kill()
			}
		}
	}
	t.Cleanup(func() { kids(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "started\n" {
		t.Fatalf("the shell said %q, %v", line, err)
	}
	below := descendants(cmd.Process.Pid)
	if len(below) != 2 || slices.Contains(below, cmd.Process.Pid) {
		t.Fatalf("descendants of the shell %d: %v, want its two children", cmd.Process.Pid, below)
	}
	own, err := readProcessMemory(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ReadMemory(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if all.RSSKiB <= own.RSSKiB || all.PSSKiB <= own.PSSKiB {
		t.Fatalf("the shell and its children %+v, the shell alone %+v: the children are not counted", all, own)
	}
}
