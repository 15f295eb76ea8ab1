package journal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// OpenOptions tune Open.
type OpenOptions struct {
	// ReadOnly: nothing is created or written. A missing journal file is
	// ErrNotFound; an etcd journal connects as usual and refuses every
	// write with ErrInvalid.
	ReadOnly bool
	// Logger is passed to the backend; nil discards.
	Logger *slog.Logger
}

// Open opens the journal the state block configures: etcd when it has an
// etcd block, else the bbolt file at st.Path (default "lifeboat.db"),
// relative to dir (the configuration file's directory) unless absolute.
func Open(ctx context.Context, st config.State, dir string, opts OpenOptions) (Journal, error) {
	if e := st.Etcd; e != nil {
		tlsCfg, err := etcdTLS(e)
		if err != nil {
			return nil, err
		}
		return OpenEtcd(ctx, EtcdOptions{
			Endpoints: e.Endpoints, Prefix: e.Prefix, Username: e.Username, Password: e.Password, TLS: tlsCfg,
			MaxRecordsPerKind: e.MaxRecords, ReadOnly: opts.ReadOnly, Logger: opts.Logger,
		})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := st.Path
	if path == "" {
		path = config.DefaultStatePath
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return OpenBolt(path, BoltOptions{ReadOnly: opts.ReadOnly})
}

// etcdTLS is the TLS configuration the state.etcd block's files make; nil
// when it names none (plain http endpoints).
func etcdTLS(e *config.Etcd) (*tls.Config, error) {
	if e.CAFile == "" && e.CertFile == "" && e.KeyFile == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if e.CAFile != "" {
		pem, err := os.ReadFile(e.CAFile)
		if err != nil {
			return nil, fmt.Errorf("state.etcd.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("state.etcd.ca_file: %s holds no PEM certificate", e.CAFile)
		}
	}
	if (e.CertFile == "") != (e.KeyFile == "") {
		return nil, errors.New("state.etcd: cert_file and key_file go together: set both or neither")
	}
	if e.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(e.CertFile, e.KeyFile)
		if err != nil {
			// The error names the files and what is wrong, never the key.
			return nil, fmt.Errorf("state.etcd.cert_file and key_file (%s, %s): %w", e.CertFile, e.KeyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}
