package netns

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// errNoNetem is setDelay's error when the kernel has no netem queueing discipline
// (CONFIG_NET_SCH_NETEM): Delay then switches in user space.
var errNoNetem = errors.New("the kernel has no netem queueing discipline (CONFIG_NET_SCH_NETEM)")

// ErrClosed is returned by Cut, Heal and Delay after Close.
var ErrClosed = errors.New("netns: lab closed")

// Cut cuts the host off the lab: it sets the bridge's end of the host's veth down, so that nothing
// passes between the host and any other host, in either direction. The host's processes keep running,
// its interface keeps its address (without carrier), and connections inside the host, to its own
// address or to loopback, still work. A connect to it from another host fails with "no route to host"
// after about 3 s when that host has no fresh neighbour (ARP) entry for it; with one (they talked in
// the last half minute or so) the SYN is dropped and retried until the entry expires, more than a
// minute, so give connects a deadline. Established connections see nothing until they send, then
// retransmit until Heal or their own timeout.
func (l *Lab) Cut(host string) error { return l.setPort(host, "down") }

// Heal undoes Cut: the host's link is up again, and what was retransmitting gets through.
func (l *Lab) Heal(host string) error { return l.setPort(host, "up") }

// setPort sets the bridge's end of the host's veth up or down.
func (l *Lab) setPort(host, state string) error {
	h, err := l.host(host)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if l.sw != nil && state == "down" {
		l.sw.setCut(h.port, true)
	}
	_, err = run(ctx, "ip", "-n", l.Switch, "link", "set", h.port, state)
	if l.sw != nil && state == "up" && err == nil {
		l.sw.setCut(h.port, false)
	}
	return err
}

// Delay delays every packet between hosts by d: d one way between any two hosts, 2d for a round trip,
// and so for a TCP connect. Traffic inside a host (its own address, loopback) is not delayed. Delay(0)
// removes the delay. Where the kernel has netem, it is a netem queueing discipline on the root of each
// host's eth0 (egress); where it has none (CONFIG_NET_SCH_NETEM unset, as in some minimal virtual
// machine kernels), the ports leave the bridge for a switch in user space that forwards each frame
// after d (delayswitch.go).
func (l *Lab) Delay(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("netns: negative delay %v", d)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if l.sw != nil {
		err := l.sw.stop(ctx, l)
		l.sw, l.delay = nil, 0
		if err != nil {
			return err
		}
	}
	if !l.noNetem {
		err := l.netemDelay(ctx, d)
		if !errors.Is(err, errNoNetem) {
			return err
		}
		l.noNetem = true
	}
	if d > 0 {
		sw, err := startDelaySwitch(ctx, l, d)
		if err != nil {
			return err
		}
		l.sw, l.delay = sw, d
	}
	return nil
}

// netemDelay sets the delay with netem on every host's eth0.
func (l *Lab) netemDelay(ctx context.Context, d time.Duration) error {
	for _, h := range l.Hosts {
		if err := setDelay(ctx, h.Namespace, l.delay, d); err != nil {
			return fmt.Errorf("netns: delay on host %s: %w", h.Name, err)
		}
	}
	l.delay = d
	return nil
}

// setDelay changes the delay on the namespace's eth0 from old to d.
func setDelay(ctx context.Context, namespace string, old, d time.Duration) error {
	args := []string{"tc", "-n", namespace, "qdisc"}
	switch {
	case d > 0:
		// netem takes its times in microseconds ("us"); replace adds it or changes the one there.
		args = append(args, "replace", "dev", hostIfName, "root", "netem", "delay", strconv.FormatInt(d.Microseconds(), 10)+"us")
	case old > 0:
		args = append(args, "delete", "dev", hostIfName, "root")
	default:
		return nil // no delay to remove
	}
	_, err := run(ctx, args...)
	var ce *cmdError
	if errors.As(err, &ce) && strings.Contains(ce.stderr, "qdisc kind is unknown") {
		return fmt.Errorf("%w: %w", errNoNetem, err)
	}
	return err
}
