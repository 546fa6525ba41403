package netctl

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Memory is a process's resident memory in KiB. RSS counts pages shared with other processes (the
// same binary mapped by five peers) in full each time; PSS divides shared pages among their users, so
// the PSS of all processes adds up to the physical memory the network uses.
type Memory struct {
	RSSKiB int64 `json:"rssKiB"`
	PSSKiB int64 `json:"pssKiB"`
}

// ReadMemory is a component's memory: its process's and that of every process it started and that
// still runs (a PostgreSQL server's checkpointer, writers and one backend per connection), each from
// /proc/<pid>/smaps_rollup. A descendant that exits while it is read is left out.
func ReadMemory(pid int) (Memory, error) {
	total, err := readProcessMemory(pid)
	if err != nil {
		return total, err
	}
	for _, child := range descendants(pid) {
		if m, err := readProcessMemory(child); err == nil {
			total.RSSKiB += m.RSSKiB
			total.PSSKiB += m.PSSKiB
		}
	}
	return total, nil
}

// descendants are the running processes below pid: the children each of its threads started
// (/proc/<pid>/task/<tid>/children), and theirs.
func descendants(pid int) []int {
	var out []int
	for queue := children(pid); len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children(queue[0])...)
	}
	return out
}

// children are the processes pid's threads started that still run.
func children(pid int) []int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(raw)) {
			if child, err := strconv.Atoi(field); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}

// readProcessMemory reads one process's memory from /proc/<pid>/smaps_rollup.
func readProcessMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "Rss:":
			m.RSSKiB = v
		case "Pss:":
			m.PSSKiB = v
		}
	}
	return m, sc.Err()
}
