// Command ipledger-gateway serves the IPLedger HTTP API for one organization: its enrolled identities,
// one gRPC connection to its own peer. `scripts/ipledger up` starts one per peer organization:
//
//	ipledger-gateway --config <org>/gateway/gateway.yaml
//
// Scalar settings can be overridden from the environment: IPLEDGER_GATEWAY_LISTEN,
// IPLEDGER_GATEWAY_COMMITTIMEOUT, IPLEDGER_GATEWAY_PEER_ADDRESS, … (see gateway.Config). On SIGINT or
// SIGTERM it stops accepting requests, ends event streams and finishes in-flight submissions. On SIGHUP
// it reads its configuration file again and takes its identities (their certificates and keys, read
// again from their files) and API keys (the keys file included: issued, expired, rotated, revoked by
// `scripts/ipledger key`), all at once, without a restart: requests in flight finish with
// what they started with. A reload that fails (a file unreadable, a key not its certificate's) changes
// nothing and is logged; the metric ipledger_gateway_config_reloads_total counts both.
//
// It serves HTTPS only (TLS 1.2 or later, 1.3 preferred), with the certificate and key that tls names
// in the configuration (issued by the organization's own CA), and refuses to start without them. Only
// insecureHTTP: true, on a loopback address, serves plain HTTP: for unit tests and development.
//
// /metrics, /healthz and /readyz are served on an operations listener of their own (operations.listen),
// over TLS with the same certificate; /metrics there wants a client certificate of the organization's
// CA (operations.clientRootCAs). The API's listener serves /healthz and /readyz too, never /metrics.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/httpapi"
	"github.com/ipledger/ipledger/gateway/metrics"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "readmodel" {
		switch err := maintain(os.Args[2:], os.Stdout); {
		case errors.Is(err, errDifferences):
			os.Exit(3)
		case err != nil:
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		return
	}
	configPath := flag.String("config", "", "the gateway's configuration file (YAML)")
	flag.Parse()
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "usage: ipledger-gateway --config <file>\n       ipledger-gateway readmodel rebuild|check --config <file> [--sample N] [--json]")
		os.Exit(2)
	}
	if err := run(*configPath); err != nil {
		slog.Error("gateway stopped", "err", err)
		os.Exit(1)
	}
}

// run serves until the server fails or a signal stops it: it loads the configuration, opens the
// ledger (the connection to the organization's peer), builds the HTTP handler and serves it.
func run(configPath string) error {
	// SIGHUP would end the process until it is handled: handled from the start, served once serving.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg, log, err := configure(configPath)
	if err != nil {
		return err
	}
	tlsConfig, err := serverTLS(cfg, log)
	if err != nil {
		return err
	}
	keys, err := gateway.NewKeyring(cfg.MSPID, cfg.Identities, cfg.Keys...)
	if err != nil {
		return err
	}
	m := metrics.New(cfg.MSPID)
	ledger, err := fabric.Open(cfg, fabric.WithObserver(m), fabric.WithLogger(log))
	if err != nil {
		return err
	}
	defer ledger.Close()
	model, stopModel, err := startReadModel(cfg, ledger, m, log)
	if err != nil {
		return err
	}
	defer stopModel()

	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	saltKey, err := secretKey(filepath.Join(filepath.Dir(configPath), "terms-salt.key"))
	if err != nil {
		return err
	}
	opts := httpapi.Options{Ledger: ledger, Keyring: keys, MSPID: cfg.MSPID, Channel: cfg.Channel,
		MaxBodyBytes: cfg.MaxBodyBytes, Logger: log, Metrics: m, Streams: streams, SaltKey: saltKey, Limits: cfg.Limits, ReadyInterval: cfg.ReadyInterval}
	parts := reloadParts(keys, ledger)
	if model != nil {
		opts.ReadModel = model
		parts = append(parts, model)
	}
	handler, err := newHandler(opts)
	if err != nil {
		return err
	}
	srv := httpapi.HTTPServer(handler, cfg.Limits) // its timeouts: limits in the configuration
	srv.TLSConfig = tlsConfig
	// Listen first, so that /healthz answers as soon as the process is up.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	opsSrv, opsLn, err := operationsServer(cfg, handler, m.Handler(), log)
	if err != nil {
		ln.Close()
		return err
	}
	defer serveOperations(opsSrv, opsLn, log)()
	srv.RegisterOnShutdown(endStreams)
	r := &reloader{path: configPath, start: cfg, parts: parts, ledger: ledger, metrics: m, log: log}
	r.show()
	return serve(srv, ln, cfg, log, hup, r.reload)
}

// reloadParts are the parts a reload swaps, in the order their swaps are made: the keyring first. The
// two swaps are two stores, and a request can fall between them. Keyring first, such a request is
// authenticated by the new keys and signs with the previous certificate of the same identity, or is
// refused (its identity not loaded yet, or its key dropped); ledger first, an API key moved to another
// identity, or dropped, would still act as its previous identity with the new certificates.
func reloadParts(keys *gateway.Keyring, ledger gateway.Swapper) []gateway.Swapper {
	return []gateway.Swapper{keys, ledger}
}

// reloader takes a new configuration on SIGHUP: the identities and API keys, into the ledger and the
// keyring at once, or nothing.
type reloader struct {
	path    string
	start   *gateway.Config
	parts   []gateway.Swapper
	ledger  *fabric.Ledger
	metrics *metrics.Metrics
	log     *slog.Logger
}

// reload reads the configuration again and swaps it in; on failure it keeps the one in force.
func (r *reloader) reload() error {
	next, restart, err := gateway.Reload(r.path, os.Getenv, r.start, r.parts...)
	if err != nil {
		r.metrics.Reloaded(false)
		r.log.Error("reload refused: the gateway goes on with its previous identities and API keys", "config", r.path, "err", err)
		return err
	}
	r.metrics.Reloaded(true)
	if len(restart) > 0 {
		r.log.Warn("reload: these settings changed and take effect only at the next start", "settings", restart)
	}
	r.log.Info("configuration reloaded", "config", r.path, "identities", len(next.Identities), "keys", len(next.Keys))
	r.show()
	return nil
}

// show logs the certificate each identity signs with and puts it into the metrics.
func (r *reloader) show() {
	var certs []metrics.Certificate
	for _, c := range r.ledger.Certificates() {
		certs = append(certs, metrics.Certificate{Identity: c.Identity, Serial: c.Serial, NotAfter: c.NotAfter})
		r.log.Info("identity", "name", c.Identity, "serial", c.Serial, "notAfter", c.NotAfter.UTC().Format(time.RFC3339))
	}
	r.metrics.Certificates(certs)
}

// serverTLS loads the gateway's TLS certificate and key (nil for insecureHTTP, which the
// configuration allows only on a loopback address). Go's defaults choose the cipher suites and
// prefer TLS 1.3; nothing older than TLS 1.2 is accepted.
func serverTLS(cfg *gateway.Config, log *slog.Logger) (*tls.Config, error) {
	if cfg.InsecureHTTP {
		log.Warn("insecureHTTP: serving plain HTTP, for tests and development only", "listen", cfg.Listen)
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(cfg.TLS.Certificate, cfg.TLS.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	if fi, err := os.Stat(cfg.TLS.PrivateKey); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("the TLS private key is readable by other users", "file", cfg.TLS.PrivateKey, "mode", fi.Mode().Perm().String())
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
}

// configure loads the configuration (with the environment's overrides) and makes the logger: JSON
// on stderr at the configured level, naming the organization. It is also the default logger.
func configure(configPath string) (*gateway.Config, *slog.Logger, error) {
	cfg, err := gateway.LoadConfig(configPath, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, nil, fmt.Errorf("logLevel: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("msp", cfg.MSPID)
	slog.SetDefault(log)
	return cfg, log, nil
}

// newHandler builds the HTTP API from opts and serves the web console (gateway/console), a browser
// client of this same API, beside it.
func newHandler(opts httpapi.Options) (http.Handler, error) {
	api, err := httpapi.New(opts)
	if err != nil {
		return nil, err
	}
	ui, err := console.New(console.Options{MSPID: opts.MSPID, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, ui)
	mux.Handle("/", api)
	return mux, nil
}

// serve serves srv on ln until it fails or SIGINT or SIGTERM arrives; then it stops accepting
// requests and gives in-flight ones the time a submission may take before it returns. Each signal on
// hup calls reload, one at a time.
func serve(srv *http.Server, ln net.Listener, cfg *gateway.Config, log *slog.Logger, hup <-chan os.Signal, reload func() error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		for {
			select {
			case <-hup:
				_ = reload() // it logs its outcome
			case <-ctx.Done():
				return
			}
		}
	}()
	served := make(chan error, 1)
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
		go func() { served <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { served <- srv.Serve(ln) }()
	}
	log.Info("gateway listening", "listen", ln.Addr().String(), "scheme", scheme, "peer", cfg.Peer.Address, "channel", cfg.Channel,
		"chaincode", cfg.Chaincode, "identities", len(cfg.Identities))

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// A submission may take endorsement retries and the commit wait: give it all of that.
	grace := cfg.CommitTimeout + 2*cfg.EndorseTimeout
	log.Info("shutting down: finishing in-flight requests", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("gateway stopped")
	return nil
}

// secretKey reads the 32-byte secret at path, making it on first use (0600, written whole or not at
// all), so that it survives restarts. Only a file that does not exist is made: one that cannot be read
// or is not 32 bytes (a copy from another gateway of the organization, hex-encoded, say) is an error.
// Replacing it would change, silently, the salt every request id gets (the retry of a request would
// carry other terms than its first attempt) and part this gateway from the organization's others.
func secretKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	switch {
	case err == nil && len(raw) == 32:
		return raw, nil
	case err == nil:
		return nil, fmt.Errorf("terms salt key %s holds %d bytes, not 32: restore it (every gateway of the organization "+
			"holds the same key), or remove it on a gateway that has never made a salt", path, len(raw))
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".terms-salt-*.key") // 0600
	if err != nil {
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	// A link fails when path exists: a key made meanwhile by another process is kept, and read.
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, os.ErrExist) {
		return secretKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("terms salt key: %w", err)
	}
	return key, nil
}
