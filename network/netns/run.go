package netns

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// tool is the path of an iproute2 command: from PATH, else /usr/sbin, where Debian puts ip and tc
// (and which a non-login root shell's PATH may lack).
func tool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

// run runs an iproute2 command (args[0] is "ip" or "tc") and returns its standard output; its error
// quotes the command and what it wrote on standard error.
func run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, tool(args[0]), args[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &cmdError{args: args, err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return out, nil
}

// runAll runs the commands in order and stops at the first that fails.
func runAll(ctx context.Context, cmds [][]string) error {
	for _, args := range cmds {
		if _, err := run(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// cmdError is a failed command, with what it said.
type cmdError struct {
	args   []string
	err    error
	stderr string
}

func (e *cmdError) Error() string {
	return fmt.Sprintf("%s: %v: %s", strings.Join(e.args, " "), e.err, e.stderr)
}

func (e *cmdError) Unwrap() error { return e.err }
