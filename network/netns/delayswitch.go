package netns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// delaySwitch delays every frame between hosts where the kernel has no netem: the hosts' ports leave
// the bridge, and a switch in user space forwards each frame a port receives to the port of its
// destination (learned from the frames' source addresses; broadcasts and unknown destinations go to
// every other port) once the delay has passed, in the order received. One frame crossing it is one
// link crossed: d one way between any two hosts, as netem on each host's egress gives.
//
// The sockets are packet sockets bound to the ports in the switch namespace, with virtio-net headers
// (PACKET_VNET_HDR), so that a segmentation-offloaded frame or one with its checksum left to the
// hardware goes on as the kernel handed it over, and without the frames the switch sends itself
// (PACKET_IGNORE_OUTGOING).
type delaySwitch struct {
	d       time.Duration
	ports   []*switchPort
	mu      sync.Mutex
	learned map[[6]byte]*switchPort
	readers sync.WaitGroup
	writers sync.WaitGroup
}

// switchPort is one port of the switch: its socket and the frames waiting to leave by it.
type switchPort struct {
	name string
	f    *os.File
	out  chan timedFrame
	cut  atomic.Bool // Cut: what is queued for it, or comes for it, is dropped, not sent at Heal
}

type timedFrame struct {
	at    time.Time
	bytes []byte
}

const (
	vnetHdrLen = 10    // struct virtio_net_hdr, before every frame
	queueLen   = 4096  // frames waiting on a port; more are dropped, as a switch drops them
	frameMax   = 65600 // a segmentation-offloaded frame (64 KiB) with its headers; a longer one is dropped
)

// startDelaySwitch takes the hosts' ports off the bridge and forwards between them with delay d.
func startDelaySwitch(ctx context.Context, l *Lab, d time.Duration) (*delaySwitch, error) {
	s := &delaySwitch{d: d, learned: map[[6]byte]*switchPort{}}
	for _, h := range l.Hosts {
		if _, err := run(ctx, "ip", "-n", l.Switch, "link", "set", h.port, "nomaster", "promisc", "on"); err != nil {
			return nil, errors.Join(err, s.stop(ctx, l))
		}
		p := &switchPort{name: h.port, out: make(chan timedFrame, queueLen)}
		if err := inNamespace(l.Switch, func() (err error) { p.f, err = packetSocket(h.port); return err }); err != nil {
			return nil, errors.Join(err, s.stop(ctx, l))
		}
		s.ports = append(s.ports, p)
	}
	for _, p := range s.ports {
		s.readers.Add(1)
		go s.read(p)
		s.writers.Add(1)
		go s.write(p)
	}
	return s, nil
}

// packetSocket opens a packet socket bound to one interface of the calling thread's namespace. It is
// opened for no protocol and bound with the interface, so it receives no frame of another interface
// in between.
func packetSocket(ifName string) (*os.File, error) {
	ifi, err := net.InterfaceByName(ifName)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: packet socket: %w", err)
	}
	for _, opt := range []int{unix.PACKET_VNET_HDR, unix.PACKET_IGNORE_OUTGOING} {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, opt, 1); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("netns: packet socket option %d: %w", opt, err)
		}
	}
	all := htons(unix.ETH_P_ALL)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: all, Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netns: binding a packet socket to %s: %w", ifName, err)
	}
	return os.NewFile(uintptr(fd), ifName), nil // non-blocking: reads wait in the runtime's poller
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// read forwards what one port receives until the socket is closed. A port that goes down (Cut)
// reports an error once and receives again when it is up.
func (s *delaySwitch) read(p *switchPort) {
	defer s.readers.Done()
	buf := make([]byte, frameMax+1)
	for {
		n, err := p.f.Read(buf)
		if errors.Is(err, os.ErrClosed) {
			return
		}
		if err != nil || n < vnetHdrLen+14 || n > frameMax { // too long: cut short, it would go on wrong
			continue
		}
		frame := timedFrame{at: time.Now().Add(s.d), bytes: append([]byte(nil), buf[:n]...)}
		for _, to := range s.destinations(p, frame.bytes[vnetHdrLen:]) {
			select {
			case to.out <- frame:
			default: // the port's queue is full: dropped
			}
		}
	}
}

// destinations learns the frame's source and returns the ports it goes to.
func (s *delaySwitch) destinations(from *switchPort, eth []byte) []*switchPort {
	var dst, src [6]byte
	copy(dst[:], eth[0:6])
	copy(src[:], eth[6:12])
	s.mu.Lock()
	s.learned[src] = from
	to, known := s.learned[dst]
	s.mu.Unlock()
	if dst[0]&1 == 0 && known { // unicast to a known address
		if to == from {
			return nil
		}
		return []*switchPort{to}
	}
	var all []*switchPort
	for _, p := range s.ports {
		if p != from {
			all = append(all, p)
		}
	}
	return all
}

// write sends a port's frames, each once its delay has passed, until the queue is closed.
func (s *delaySwitch) write(p *switchPort) {
	defer s.writers.Done()
	for f := range p.out {
		if wait := time.Until(f.at); wait > 0 {
			time.Sleep(wait) // the link's delay itself
		}
		if !p.cut.Load() {
			_, _ = p.f.Write(f.bytes)
		}
	}
}

// setCut marks a port cut or healed: frames for a cut port are dropped, so that none waits to be
// sent the moment it is healed.
func (s *delaySwitch) setCut(port string, cut bool) {
	for _, p := range s.ports {
		if p.name == port {
			p.cut.Store(cut)
		}
	}
}

// stop ends the forwarding and puts the ports back on the bridge.
func (s *delaySwitch) stop(ctx context.Context, l *Lab) error {
	for _, p := range s.ports {
		p.f.Close()
	}
	s.readers.Wait()
	for _, p := range s.ports {
		close(p.out)
	}
	s.writers.Wait()
	var errs []error
	for _, h := range l.Hosts {
		_, err := run(ctx, "ip", "-n", l.Switch, "link", "set", h.port, "promisc", "off", "master", bridgeName)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
