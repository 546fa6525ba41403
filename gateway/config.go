package gateway

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts the environment variables that override the configuration's scalar fields:
// IPLEDGER_GATEWAY_LISTEN, IPLEDGER_GATEWAY_COMMITTIMEOUT, IPLEDGER_GATEWAY_PEER_ADDRESS, …
const EnvPrefix = "IPLEDGER_GATEWAY_"

// Config is one organization's gateway configuration, written by `scripts/ipledger up` (netctl) to a
// YAML file. Relative paths are relative to that file's directory.
type Config struct {
	// Listen is the only address the gateway binds, e.g. 127.0.0.1:7025.
	Listen string `yaml:"listen"`
	// MSPID is the organization the gateway serves.
	MSPID string `yaml:"mspId"`
	// Peer is the organization's own peer: the gateway's one gRPC connection.
	Peer PeerConfig `yaml:"peer"`
	// Channel and Chaincode name the IPLedger chaincode.
	Channel   string `yaml:"channel"`
	Chaincode string `yaml:"chaincode"`
	// CommitTimeout bounds the wait for a submission's commit (then 504 with the tx id).
	CommitTimeout time.Duration `yaml:"commitTimeout"`
	// EndorseTimeout bounds one endorsement; EvaluateTimeout one query.
	EndorseTimeout  time.Duration `yaml:"endorseTimeout"`
	EvaluateTimeout time.Duration `yaml:"evaluateTimeout"`
	// MaxBodyBytes limits request bodies (413 beyond).
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// CheckpointDir holds the file checkpoints of named event streams (/v1/events?stream=).
	CheckpointDir string `yaml:"checkpointDir"`
	// PeerOrganizations lists the MSP ids of the channel's peer organizations.
	PeerOrganizations []string `yaml:"peerOrganizations"`
	// Identities are the organization's enrolled users the gateway acts as: client identities only,
	// never an admin's (netctl writes no admin here; an admin acts with netctl on its host).
	Identities []IdentityConfig `yaml:"identities"`
	// KeysFile holds the API keys (their hashes) bound to the identities ([Keys]), read at start and on
	// every reload; written by `scripts/ipledger key ...`. Optional: keys may also be given per identity.
	KeysFile string `yaml:"keysFile,omitempty"`
	// Keys are KeysFile's records, as read with the configuration.
	Keys []KeyRecord `yaml:"-"`
	// ReadyInterval is how long /readyz answers from its last chaincode Ping before it pings again
	// (default 5s): a flood of probes makes at most one Ping per interval.
	ReadyInterval time.Duration `yaml:"readyInterval,omitempty"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"logLevel"`
	// MaxRetries bounds the new proposals after MVCC or phantom read conflicts (default 5).
	MaxRetries int `yaml:"maxRetries"`
	// TLS is the gateway's server certificate and key: it serves HTTPS only (TLS 1.2 or later). The
	// certificate is issued by the organization's own CA, which the API's clients trust.
	TLS TLSConfig `yaml:"tls"`
	// InsecureHTTP serves plain HTTP instead, without TLS material: for unit tests and development
	// only, and accepted only with a loopback listen address. It excludes tls.
	InsecureHTTP bool `yaml:"insecureHTTP,omitempty"`
	// Limits are the rate limits, stream caps and HTTP timeouts (defaults: [DefaultLimits]).
	Limits LimitsConfig `yaml:"limits,omitempty"`
	// Operations is the listener of /healthz, /readyz and /metrics, apart from the API's.
	Operations OperationsConfig `yaml:"operations,omitempty"`
	// ReadModel is the gateway's read model: a replica of what its organization may see, built from
	// its own peer's committed blocks, that answers the read-only routes (gateway/readmodel).
	ReadModel ReadModelConfig `yaml:"readModel,omitempty"`
}

// Drivers of the read model.
const (
	ReadModelSQLite   = "sqlite"   // an embedded database file (the default)
	ReadModelPostgres = "postgres" // a PostgreSQL server
	ReadModelOff      = "off"      // no read model: every read goes to the chaincode
)

// ReadModelConfig places the read model: driver sqlite (default) with path, a file relative to the
// configuration's directory (default readmodel.db); postgres with dsn; or off.
type ReadModelConfig struct {
	Driver string `yaml:"driver,omitempty"`
	Path   string `yaml:"path,omitempty"`
	DSN    string `yaml:"dsn,omitempty"`
}

// TLSConfig is the gateway's TLS server identity: a PEM certificate (chain) and its PEM private key.
type TLSConfig struct {
	Certificate string `yaml:"certificate"`
	PrivateKey  string `yaml:"privateKey"`
}

// PeerConfig is the address and TLS CA certificate of the organization's peer.
type PeerConfig struct {
	Address   string `yaml:"address"`
	TLSCACert string `yaml:"tlsCACert"`
}

// IdentityConfig is one enrolled identity and, optionally, the SHA-256 (hex) of an API key bound to
// it (the keys file binds more, with expiry and revocation).
type IdentityConfig struct {
	Name         string `yaml:"name"`
	Role         string `yaml:"role"`
	Certificate  string `yaml:"certificate"`
	PrivateKey   string `yaml:"privateKey"`
	APIKeySHA256 string `yaml:"apiKeySha256,omitempty"`
}

// LoadConfig reads a configuration file, applies the environment overrides (getenv is usually
// os.Getenv), fills defaults and checks it.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.applyEnv(getenv); err != nil {
		return nil, err
	}
	c.setDefaults()
	c.resolvePaths(filepath.Dir(path))
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.KeysFile != "" {
		keys, err := LoadKeys(c.KeysFile)
		if err != nil {
			return nil, fmt.Errorf("keysFile: %w", err)
		}
		c.Keys = keys.Keys
	}
	return &c, nil
}

func (c *Config) applyEnv(getenv func(string) string) error {
	str := map[string]*string{
		"LISTEN": &c.Listen, "MSPID": &c.MSPID, "CHANNEL": &c.Channel, "CHAINCODE": &c.Chaincode,
		"CHECKPOINTDIR": &c.CheckpointDir, "PEER_ADDRESS": &c.Peer.Address, "PEER_TLSCACERT": &c.Peer.TLSCACert,
		"LOGLEVEL": &c.LogLevel, "TLS_CERTIFICATE": &c.TLS.Certificate, "TLS_PRIVATEKEY": &c.TLS.PrivateKey,
		"READMODEL_DRIVER": &c.ReadModel.Driver, "READMODEL_PATH": &c.ReadModel.Path, "READMODEL_DSN": &c.ReadModel.DSN,
	}
	for name, p := range str {
		if v := getenv(EnvPrefix + name); v != "" {
			*p = v
		}
	}
	dur := map[string]*time.Duration{
		"COMMITTIMEOUT": &c.CommitTimeout, "ENDORSETIMEOUT": &c.EndorseTimeout, "EVALUATETIMEOUT": &c.EvaluateTimeout,
		"READYINTERVAL": &c.ReadyInterval,
	}
	for name, p := range dur {
		if v := getenv(EnvPrefix + name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%s%s: %w", EnvPrefix, name, err)
			}
			*p = d
		}
	}
	ints := map[string]func(int64){
		"MAXBODYBYTES": func(n int64) { c.MaxBodyBytes = n },
		"MAXRETRIES":   func(n int64) { c.MaxRetries = int(n) },
	}
	for name, set := range ints {
		if v := getenv(EnvPrefix + name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s%s: %w", EnvPrefix, name, err)
			}
			set(n)
		}
	}
	if v := getenv(EnvPrefix + "INSECUREHTTP"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%sINSECUREHTTP: %w", EnvPrefix, err)
		}
		c.InsecureHTTP = b
	}
	c.Operations.applyEnv(getenv)
	return nil
}

func (c *Config) setDefaults() {
	if c.CommitTimeout == 0 {
		c.CommitTimeout = 30 * time.Second
	}
	if c.EndorseTimeout == 0 {
		c.EndorseTimeout = 15 * time.Second
	}
	if c.EvaluateTimeout == 0 {
		c.EvaluateTimeout = 5 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	c.Limits.setDefaults()
	if c.ReadyInterval == 0 {
		c.ReadyInterval = 5 * time.Second
	}
	c.Operations.setDefaults(c.TLS)
	if c.ReadModel.Driver == "" {
		c.ReadModel.Driver = ReadModelSQLite
	}
	if c.ReadModel.Driver == ReadModelSQLite && c.ReadModel.Path == "" {
		c.ReadModel.Path = "readmodel.db"
	}
}

func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.Peer.TLSCACert)
	abs(&c.CheckpointDir)
	abs(&c.TLS.Certificate)
	abs(&c.TLS.PrivateKey)
	abs(&c.KeysFile)
	if c.ReadModel.Driver == ReadModelSQLite {
		abs(&c.ReadModel.Path)
	}
	for i := range c.Identities {
		abs(&c.Identities[i].Certificate)
		abs(&c.Identities[i].PrivateKey)
	}
	c.Operations.resolvePaths(abs)
}

// Validate reports the first missing or impossible setting.
func (c *Config) Validate() error {
	var errs []error
	need := func(name, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
	}
	need("listen", c.Listen)
	need("mspId", c.MSPID)
	need("peer.address", c.Peer.Address)
	need("peer.tlsCACert", c.Peer.TLSCACert)
	need("channel", c.Channel)
	need("chaincode", c.Chaincode)
	switch {
	case c.InsecureHTTP && (c.TLS.Certificate != "" || c.TLS.PrivateKey != ""):
		errs = append(errs, errors.New("insecureHTTP and tls exclude each other"))
	case c.InsecureHTTP:
		if c.Listen != "" && !loopback(c.Listen) {
			errs = append(errs, fmt.Errorf("insecureHTTP needs a loopback listen address, not %s", c.Listen))
		}
	default:
		if c.TLS.Certificate == "" || c.TLS.PrivateKey == "" {
			errs = append(errs, errors.New("tls.certificate and tls.privateKey are required: the gateway serves HTTPS only "+
				"(insecureHTTP: true serves plain HTTP on a loopback address, for tests and development)"))
		}
	}
	if c.CommitTimeout < 0 || c.EndorseTimeout < 0 || c.EvaluateTimeout < 0 || c.MaxBodyBytes < 0 || c.MaxRetries < 0 || c.ReadyInterval < 0 {
		errs = append(errs, errors.New("timeouts, readyInterval, maxBodyBytes and maxRetries must not be negative"))
	}
	errs = append(errs, c.Limits.validate(c)...)
	errs = append(errs, c.Operations.validate(c)...)
	switch c.ReadModel.Driver {
	case ReadModelSQLite, ReadModelOff:
	case ReadModelPostgres:
		if c.ReadModel.DSN == "" {
			errs = append(errs, errors.New("readModel.dsn is required with driver postgres (or set "+EnvPrefix+"READMODEL_DSN)"))
		}
	default:
		errs = append(errs, fmt.Errorf("readModel.driver must be sqlite, postgres or off, not %q", c.ReadModel.Driver))
	}
	if len(c.Identities) == 0 {
		errs = append(errs, errors.New("identities: at least one is required"))
	}
	seen := map[string]bool{}
	for i, id := range c.Identities {
		p := fmt.Sprintf("identities[%d]", i)
		need(p+".name", id.Name)
		need(p+".certificate", id.Certificate)
		need(p+".privateKey", id.PrivateKey)
		if id.APIKeySHA256 != "" && len(id.APIKeySHA256) != 64 {
			errs = append(errs, fmt.Errorf("%s.apiKeySha256 must be 64 hex digits", p))
		}
		if seen[id.Name] {
			errs = append(errs, fmt.Errorf("%s.name %q is repeated", p, id.Name))
		}
		seen[id.Name] = true
	}
	return errors.Join(errs...)
}

// loopback tells whether a listen address binds only the loopback interface.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
