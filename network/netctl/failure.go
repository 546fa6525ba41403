package netctl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// What a failed up says and leaves: the cause from the failing component's log, and none of the
// processes it started.

// track records a process this up started, so that a failed up stops it again.
func (n *Network) track(p *Process) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.started = append(n.started, p)
}

// startedByThisUp returns the processes this up started, in start order.
func (n *Network) startedByThisUp() []*Process {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Process(nil), n.started...)
}

// failUp completes the error of a failed up: it names the processes this up started that have exited
// since, with the cause from each one's log (unless err already quotes that log), then stops every
// process this up started. Processes that were running before this up are left alone; the one-time
// steps already recorded in state.json stay recorded, so that the next up resumes from them.
func (n *Network) failUp(err error) error {
	started := n.startedByThisUp()
	for _, p := range started {
		if n.Pid(p) == 0 && !strings.Contains(err.Error(), p.Name+"'s log") {
			err = n.withCause(p.Name, fmt.Errorf("%w\n%s, started by this up, has exited", err, p.Name))
		}
	}
	if len(started) == 0 {
		return err
	}
	var g errgroup.Group
	for _, p := range started {
		g.Go(func() error { return n.Stop(p, 10*time.Second) })
	}
	if stopErr := g.Wait(); stopErr != nil {
		return fmt.Errorf("%w\nstopping the %s this up started: %w", err, processCount(len(started)), stopErr)
	}
	n.mu.Lock()
	n.started = nil
	n.mu.Unlock()
	return fmt.Errorf("%w\nstopped the %s this up started; the steps done stay recorded in %s", err, processCount(len(started)), n.stateFile())
}

func processCount(k int) string {
	if k == 1 {
		return "1 process"
	}
	return strconv.Itoa(k) + " processes"
}

// withCause adds to err the lines of a component's log that say why it failed.
func (n *Network) withCause(component string, err error) error {
	if err == nil {
		return nil
	}
	lines := n.logCause(component, maxCauseLines)
	if len(lines) == 0 {
		if _, statErr := os.Stat(n.LogFile(component)); statErr == nil {
			return fmt.Errorf("%w (its log: %s)", err, n.LogFile(component))
		}
		return err
	}
	return fmt.Errorf("%w\n%s's log (%s) says:\n  %s", err, component, n.LogFile(component), strings.Join(lines, "\n  "))
}

const (
	maxCauseLines = 5
	maxCauseWidth = 300
	logTailBytes  = 256 << 10
)

// logCause reads the tail of a component's log, from its last start, and returns its cause lines.
func (n *Network) logCause(component string, max int) []string {
	f, err := os.Open(n.LogFile(component))
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > logTailBytes {
		if _, err := f.Seek(-logTailBytes, io.SeekEnd); err != nil {
			return nil
		}
	}
	tail, err := io.ReadAll(f)
	if err != nil {
		return nil
	}
	if i := bytes.LastIndex(tail, []byte("\n---- ")); i >= 0 {
		tail = tail[i+1:] // the last run only: Start writes "---- <time> starting <name>" before each
	}
	return causeLines(string(tail), max)
}

var (
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	// logLevel is a line's level: Fabric's four letters, or fabric-ca's and Go's bracketed word.
	logLevel = regexp.MustCompile(`\b(DEBU|INFO|WARN|ERRO|FATA|PANI)\b|\[(DEBUG|INFO|WARNING|ERROR|FATAL|CRITICAL)\]`)
	// severeLine names a cause outright, whatever the line's level (but debug).
	severeLine = regexp.MustCompile(`(?i)\bpanic\b|\bfatal\b|no space left|permission denied|address already in use|` +
		`read-only file system|not a directory|too many open files|out of memory`)
	// unlevelledError is an error in a line without a level (a Go log line, a program's own output).
	unlevelledError = regexp.MustCompile(`(?i)\berror\b|\bfailed\b|\bexit status\b`)
	failedWord      = regexp.MustCompile(`(?i)\bfail(ed|ure)?\b`)
	// probeNoise is what netctl's own port probes leave in a log: a TLS handshake cut at EOF.
	probeNoise = regexp.MustCompile(`(?i)handshake.*\bEOF\b`)
	// logPrefix is the time and sequence number of a Fabric log line, left out when comparing lines.
	logPrefix = regexp.MustCompile(`^\S+ \S+( UTC)? [0-9a-f]{4} `)
)

// causeRank ranks a log line as a cause: 1 says it outright (panic, fatal, no space left, ...), 2 is
// an error, 3 a warning of a failure, 0 not a cause.
func causeRank(line string) int {
	if probeNoise.MatchString(line) {
		return 0
	}
	level := ""
	if m := logLevel.FindStringSubmatch(line); m != nil {
		level = m[1] + m[2]
	}
	switch {
	case level == "DEBU" || level == "DEBUG":
		return 0
	case level == "FATA" || level == "PANI" || level == "FATAL" || level == "CRITICAL" || severeLine.MatchString(line):
		return 1
	case level == "ERRO" || level == "ERROR" || (level == "" && unlevelledError.MatchString(line)):
		return 2
	case (level == "WARN" || level == "WARNING") && failedWord.MatchString(line):
		return 3
	}
	return 0
}

// causeLines picks at most max lines of a log that most likely say why the component failed: the
// best-ranked first (causeRank), the earliest of each rank, each line once however often it
// repeats; they are returned in log order, each longer one cut in its middle to maxCauseWidth characters.
func causeLines(log string, max int) []string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if l = strings.TrimSpace(ansiEscape.ReplaceAllString(l, "")); l != "" {
			lines = append(lines, l)
		}
	}
	picked := map[int]bool{}
	seen := map[string]bool{}
	for rank := 1; rank <= 3; rank++ {
		for i, l := range lines {
			key := logPrefix.ReplaceAllString(l, "")
			if len(picked) >= max || picked[i] || seen[key] || causeRank(l) != rank {
				continue
			}
			picked[i], seen[key] = true, true
		}
	}
	var out []string
	for i, l := range lines {
		if picked[i] {
			if len(l) > maxCauseWidth { // keep both ends: the cause is often the last words
				l = l[:maxCauseWidth/2] + " ... " + l[len(l)-maxCauseWidth/2:]
			}
			out = append(out, l)
		}
	}
	return out
}

// errInterrupted is up's answer to an interrupt between steps.
var errInterrupted = errors.New("interrupted")
