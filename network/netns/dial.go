package netns

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// DialContext returns a dial function whose connections start from inside the host's namespace: from
// its address, over its link, so they fail while the host is Cut and are slowed by Delay. It fits
// http.Transport.DialContext; for gRPC, wrap it: grpc.WithContextDialer(func(ctx, addr) { return
// dial(ctx, "tcp", addr) }). A name in addr is resolved first, in the caller's namespace, which reads
// the same /etc/hosts; the lab's own addresses are best given as they are.
func (l *Lab) DialContext(host string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		h, err := l.host(host)
		if err != nil {
			return nil, err
		}
		addrs, err := resolve(ctx, addr)
		if err != nil {
			return nil, err
		}
		var conn net.Conn
		err = inNamespace(h.Namespace, func() error {
			var errs []error
			for _, a := range addrs {
				var d net.Dialer
				// An address literal: the dialer connects in this goroutine, so on this thread.
				c, err := d.DialContext(ctx, network, a)
				if err == nil {
					conn = c
					return nil
				}
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		})
		return conn, err
	}
}

// HTTPTransport returns an http.Transport whose connections start from inside the host's namespace,
// with tlsConf for https URLs (nil for the defaults). It ignores the proxy environment variables: a
// proxy would be reached from the host, not from the machine.
func (l *Lab) HTTPTransport(host string, tlsConf *tls.Config) *http.Transport {
	return &http.Transport{
		DialContext:           l.DialContext(host),
		TLSClientConfig:       tlsConf,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Listen listens on the TCP address addr (e.g. "10.a.b.2:7051", or ":7051" for every address of the
// host) inside the host's namespace. The listener and the connections it accepts stay in that namespace whichever
// goroutine uses them; while it is open, the namespace outlives Close, so close it first.
func (l *Lab) Listen(host, addr string) (net.Listener, error) {
	h, err := l.host(host)
	if err != nil {
		return nil, err
	}
	var ln net.Listener
	err = inNamespace(h.Namespace, func() error {
		var lc net.ListenConfig
		ln, err = lc.Listen(context.Background(), "tcp", addr)
		return err
	})
	return ln, err
}

// inNamespace runs fn on an OS thread that has entered the network namespace, and waits for it. A
// socket belongs to the namespace of the thread that creates it, for good, so fn creates sockets and
// returns; their use afterwards needs no particular thread.
//
// The goroutine locks its thread and never unlocks it: when the goroutine ends, the runtime discards
// the thread instead of giving it, still in the namespace, to other goroutines. While it is locked,
// the runtime starts any new thread from a clean template thread, not as a copy of this one.
func inNamespace(namespace string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no UnlockOSThread: see above
		f, err := os.Open("/run/netns/" + namespace)
		if err != nil {
			done <- fmt.Errorf("netns: %w", err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("netns: entering namespace %s: %w", namespace, err)
			return
		}
		done <- fn()
	}()
	return <-done
}

// resolve returns addr as host:port addresses with an address literal: addr itself when it has one,
// else one per address of its name.
func resolve(ctx context.Context, addr string) ([]string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return []string{addr}, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		addrs[i] = net.JoinHostPort(ip.Unmap().String(), port)
	}
	return addrs, nil
}
