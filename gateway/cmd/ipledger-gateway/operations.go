package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/ipledger/ipledger/gateway"
)

// operationsServer is the gateway's operations listener (cfg.Operations), as Fabric's peers have
// one: /healthz and /readyz, open, answered by the API's own handlers (api), and /metrics, which
// wants a client certificate of one of operations.clientRootCAs. It serves HTTPS with the gateway's
// certificate (TLS 1.2 or later); with insecureHTTP (loopback only) plain HTTP, /metrics open. The
// API's listener serves no /metrics. Nil when no operations listener is configured.
func operationsServer(cfg *gateway.Config, api, metrics http.Handler, log *slog.Logger) (*http.Server, net.Listener, error) {
	ops := cfg.Operations
	if ops.Listen == "" {
		log.Warn("no operations listener (operations.listen): /metrics is served nowhere")
		return nil, nil, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", api)
	mux.Handle("GET /readyz", api)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	guard := func(h http.Handler) http.Handler { return requireClientCert(h) }
	if cfg.InsecureHTTP {
		guard = func(h http.Handler) http.Handler { return h }
	} else {
		pair, err := tls.LoadX509KeyPair(ops.TLS.Certificate, ops.TLS.PrivateKey)
		if err != nil {
			return nil, nil, fmt.Errorf("operations.tls: %w", err)
		}
		roots := x509.NewCertPool()
		for _, f := range ops.ClientRootCAs {
			raw, err := os.ReadFile(f)
			if err != nil {
				return nil, nil, fmt.Errorf("operations.clientRootCAs: %w", err)
			}
			if !roots.AppendCertsFromPEM(raw) {
				return nil, nil, fmt.Errorf("operations.clientRootCAs: %s holds no PEM certificate", f)
			}
		}
		// A client certificate is verified when given (against the roots) and required by /metrics
		// alone: health checks need none, as on Fabric's peers.
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair},
			ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: roots}
	}
	mux.Handle("GET /metrics", guard(metrics))
	if ops.Profile {
		// net/http/pprof's handlers, registered here rather than on http.DefaultServeMux.
		mux.Handle("GET /debug/pprof/", guard(http.HandlerFunc(pprof.Index)))
		mux.Handle("GET /debug/pprof/profile", guard(http.HandlerFunc(pprof.Profile)))
		mux.Handle("GET /debug/pprof/trace", guard(http.HandlerFunc(pprof.Trace)))
		mux.Handle("GET /debug/pprof/symbol", guard(http.HandlerFunc(pprof.Symbol)))
		// A CPU profile takes as long as it is asked to, up to the write deadline (pprof refuses a
		// longer one): ten minutes.
		srv.WriteTimeout = 10 * time.Minute
		log.Info("the operations listener serves Go's profiles at /debug/pprof/ (operations.profile)")
	}
	ln, err := net.Listen("tcp", ops.Listen)
	if err != nil {
		return nil, nil, fmt.Errorf("operations listener: %w", err)
	}
	return srv, ln, nil
}

// requireClientCert serves h only to a client that presented a certificate the TLS handshake
// verified against the client roots; others get 401 and what to present.
func requireClientCert(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "a client certificate of the organization's CA is required for /metrics "+
				"(an admin's TLS certificate, e.g. users/admin/tls/cert.pem)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// serveOperations serves the operations listener until stop is called; a failure is logged (the
// API goes on serving).
func serveOperations(srv *http.Server, ln net.Listener, log *slog.Logger) (stop func()) {
	if srv == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var err error
		if srv.TLSConfig != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("operations listener stopped", "listen", ln.Addr().String(), "err", err)
		}
	}()
	log.Info("operations listening", "listen", ln.Addr().String(), "tls", srv.TLSConfig != nil)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}
