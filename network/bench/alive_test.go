package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/network/netctl"
)

// A process whose pid file names a process that has exited is named; a running one, one without a
// pid file and one with an unreadable pid are not.
func TestDeadProcesses_NamesOnlyAProcessThatExited(t *testing.T) {
	dir := t.TempDir()
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		f := filepath.Join(dir, name+".pid")
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	ps := []netctl.ProcessInfo{
		{Name: "peer0.ipoffice", PidFile: write("dead", strconv.Itoa(exited.Process.Pid)+"\n"), Log: "logs/peer0.ipoffice.log"},
		{Name: "peer0.bank1", PidFile: write("alive", strconv.Itoa(os.Getpid()))},
		{Name: "gateway.bank1", PidFile: filepath.Join(dir, "none.pid")},
		{Name: "ca.bank1", PidFile: write("garbled", "x")},
	}
	dead := deadProcesses(ps)
	if len(dead) != 1 || !strings.HasPrefix(dead[0], "peer0.ipoffice (pid ") || !strings.Contains(dead[0], "logs/peer0.ipoffice.log") {
		t.Fatalf("dead = %q", dead)
	}
}
