package journal

import (
	"context"
	"log/slog"
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
		return OpenEtcd(ctx, EtcdOptions{
			Endpoints: e.Endpoints, Prefix: e.Prefix, Username: e.Username, Password: e.Password,
			ReadOnly: opts.ReadOnly, Logger: opts.Logger,
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
