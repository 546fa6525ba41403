package gateway

import (
	"errors"
	"fmt"
	"strings"
)

// OperationsConfig is the gateway's operations listener, apart from the API's, as Fabric's peers
// have one: /healthz and /readyz, open, and /metrics, which wants a client certificate issued by one of
// ClientRootCAs. It serves TLS with the API's certificate unless tls names another.
type OperationsConfig struct {
	// Listen is the operations address, e.g. 127.0.0.1:7028; empty: no operations listener (and
	// /metrics is served nowhere).
	Listen string `yaml:"listen,omitempty"`
	// TLS is the listener's server certificate and key; empty: the API's (tls).
	TLS TLSConfig `yaml:"tls,omitempty"`
	// ClientRootCAs are the PEM files of the CAs whose client certificates /metrics accepts (the
	// organization's own CA). Required with TLS.
	ClientRootCAs []string `yaml:"clientRootCAs,omitempty"`
	// Profile serves Go's profiles (/debug/pprof/: CPU, heap, goroutines) on this listener to the
	// holders of a client certificate /metrics accepts. Off by default; the benchmark's network turns
	// it on to profile a gateway under load, as it does for the peers.
	Profile bool `yaml:"profile,omitempty"`
}

func (o *OperationsConfig) applyEnv(getenv func(string) string) {
	if v := getenv(EnvPrefix + "OPERATIONS_LISTEN"); v != "" {
		o.Listen = v
	}
}

func (o *OperationsConfig) resolvePaths(abs func(*string)) {
	abs(&o.TLS.Certificate)
	abs(&o.TLS.PrivateKey)
	for i := range o.ClientRootCAs {
		abs(&o.ClientRootCAs[i])
	}
}

// setDefaults gives the listener the API's TLS material when it names none.
func (o *OperationsConfig) setDefaults(api TLSConfig) {
	if o.TLS == (TLSConfig{}) {
		o.TLS = api
	}
}

// validate checks the operations listener against the whole configuration: TLS with client roots,
// or plain HTTP on a loopback address when the API is plain HTTP too (tests, development).
func (o *OperationsConfig) validate(c *Config) []error {
	if o.Listen == "" {
		return nil
	}
	var errs []error
	if o.Listen == c.Listen && !strings.HasSuffix(o.Listen, ":0") { // :0, any free port, in tests
		errs = append(errs, fmt.Errorf("operations.listen %s is the API's listen address: the operations endpoints have a listener of their own", o.Listen))
	}
	if c.InsecureHTTP {
		if !loopback(o.Listen) {
			errs = append(errs, fmt.Errorf("insecureHTTP needs a loopback operations.listen address, not %s", o.Listen))
		}
		return errs
	}
	if o.TLS.Certificate == "" || o.TLS.PrivateKey == "" {
		errs = append(errs, errors.New("operations.tls (or tls) certificate and privateKey are required: the operations listener serves HTTPS only"))
	}
	if len(o.ClientRootCAs) == 0 {
		errs = append(errs, errors.New("operations.clientRootCAs is required: /metrics accepts only client certificates of these CAs (the organization's own)"))
	}
	return errs
}
