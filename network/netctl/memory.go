package netctl

import (
	"bufio"
	"fmt"
	"os"
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

// ReadMemory reads a process's memory from /proc/<pid>/smaps_rollup.
func ReadMemory(pid int) (Memory, error) {
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
