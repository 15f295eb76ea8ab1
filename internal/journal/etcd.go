package journal

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// Layout under the prefix P (every value is JSON or a decimal counter):
//
//	P meta/seq             last operation sequence number
//	P meta/fence           last fencing token issued (Begin and Resume)
//	P meta/unfinished      JSON list of the IDs of unfinished operations
//	P ops/<seq>            etcdOp JSON: the operation with its steps
//	P placement/<service>  placementRecord JSON
//	P records/...          the event log (see etcd_records.go)
//
// <seq> is 20 digits, so a key range walks operations in the order they
// began. Every write that takes a Ref is one transaction guarded by the
// operation key's mod revision: a writer replaced by Resume fails the
// compare, reads again, and is refused by the fence.

// DefaultEtcdDialTimeout bounds connecting (and logging in) when
// EtcdOptions.DialTimeout is 0.
const DefaultEtcdDialTimeout = 5 * time.Second

// etcdRequestTimeout bounds one journal call made without a deadline: on
// an etcd that stops answering (frozen, or cut off with its connections
// open) a call would otherwise wait until it answers again, holding the
// operation and everything behind it.
const etcdRequestTimeout = 10 * time.Second

// bound gives ctx a deadline when it has none.
func bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, etcdRequestTimeout)
}

// maxTxnRetries bounds how often one call retries a transaction that lost
// a race with another writer; each loss means someone else's write went
// through, so the bound is only hit under unreasonable contention.
const maxTxnRetries = 32

// ErrContention: a write kept losing races with other writers and gave up.
var ErrContention = errors.New("the journal is too busy: the write kept conflicting with others")

// EtcdOptions configure OpenEtcd.
type EtcdOptions struct {
	Endpoints []string
	// Prefix is put before every key; it should end in "/". Empty means
	// "/lifeboat/".
	Prefix   string
	Username string
	// Password is a secret: it never appears in an error or a log line.
	Password string
	TLS      *tls.Config
	// DialTimeout bounds connecting and the first read at open; 0 means
	// DefaultEtcdDialTimeout.
	DialTimeout time.Duration
	// ReadOnly refuses every write with ErrInvalid (history).
	ReadOnly bool
	// MaxRecordsPerKind is as BoltOptions.MaxRecordsPerKind.
	MaxRecordsPerKind int
	// Logger receives debug lines about retried transactions; nil discards.
	Logger *slog.Logger
}

// Etcd is the Journal kept in an etcd cluster, shared by several lifeboat
// nodes: there is no lock to take (ErrLocked never applies), and fencing
// tokens keep a replaced writer from writing.
type Etcd struct {
	cli        *clientv3.Client
	prefix     string
	readOnly   bool
	maxRecords int
	log        *slog.Logger

	mu     sync.Mutex
	closed bool
}

var _ Journal = (*Etcd)(nil)

// OpenEtcd connects to the cluster and reads once, so an unreachable
// cluster or a refused login fails here rather than during a failover.
func OpenEtcd(ctx context.Context, opts EtcdOptions) (*Etcd, error) {
	if len(opts.Endpoints) == 0 {
		return nil, fmt.Errorf("open etcd journal: %w: no endpoints", ErrInvalid)
	}
	timeout := opts.DialTimeout
	if timeout <= 0 {
		timeout = DefaultEtcdDialTimeout
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = config.DefaultEtcdPrefix
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// ctx bounds opening only: the client outlives it (it is not the
	// client's Context), until Close.
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: opts.Endpoints, DialTimeout: timeout, TLS: opts.TLS,
		Username: opts.Username, Password: opts.Password,
		Logger: zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("open etcd journal at %s: %w", strings.Join(opts.Endpoints, ","), scrub(err, opts.Password))
	}
	e := &Etcd{cli: cli, prefix: prefix, readOnly: opts.ReadOnly, maxRecords: opts.MaxRecordsPerKind, log: log}
	if e.maxRecords <= 0 {
		e.maxRecords = DefaultMaxRecordsPerKind
	}
	if _, err := cli.Get(dctx, e.key(keyMetaSeq)); err != nil {
		cli.Close()
		return nil, fmt.Errorf("open etcd journal at %s: %w", strings.Join(opts.Endpoints, ","), scrub(err, opts.Password))
	}
	return e, nil
}

// scrub keeps the password out of an error from the client, in case a
// message ever quotes it; the error chain is kept when it does not.
func scrub(err error, password string) error {
	if red := redact.Strict(password).String(err.Error()); red != err.Error() {
		return errors.New(red)
	}
	return err
}

// Close closes the client. Closing twice is harmless.
func (e *Etcd) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return e.cli.Close()
}

const (
	keyMetaSeq        = "meta/seq"
	keyMetaFence      = "meta/fence"
	keyMetaUnfinished = "meta/unfinished"
	dirOps            = "ops/"
	dirPlacement      = "placement/"
)

func (e *Etcd) key(rel string) string { return e.prefix + rel }

func (e *Etcd) opKey(seq uint64) string { return e.prefix + dirOps + fmt.Sprintf("%020d", seq) }

// ready is the check every call makes before it talks to the cluster.
func (e *Etcd) ready(ctx context.Context, write bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("%w: the journal is closed", ErrInvalid)
	case write && e.readOnly:
		return fmt.Errorf("%w: the journal was opened read-only", ErrInvalid)
	}
	return nil
}

// etcdSeq parses an operation ID; anything else is not found, as in Bolt.
func etcdSeq(id string) (uint64, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return n, nil
}

// corruptKey is the error for a value in etcd that does not decode: it
// names the key, since lifeboat will not repair it.
func corruptKey(key string, cause error) error {
	return fmt.Errorf("journal in etcd: %w: key %s: %v. lifeboat will not overwrite it: fix or delete the key", ErrCorrupt, key, cause)
}

// counter reads a decimal counter; a missing one is 0 (a new journal).
func counter(key string, kvs []*mvccpb.KeyValue) (uint64, int64, error) {
	if len(kvs) == 0 {
		return 0, 0, nil
	}
	n, err := strconv.ParseUint(string(kvs[0].Value), 10, 64)
	if err != nil {
		return 0, 0, corruptKey(key, errors.New("the counter is not a number"))
	}
	return n, kvs[0].ModRevision, nil
}

func decodeJSON(key string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return corruptKey(key, err)
	}
	return nil
}

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		// Only plain structs, strings and times are marshalled here.
		panic(fmt.Sprintf("journal: encode %T: %v", v, err))
	}
	return string(data)
}

// etcdOp is an operation as stored: the header and its steps together,
// rewritten whole by each fenced write.
type etcdOp struct {
	opRecord
	Steps []stepRecord `json:"steps,omitempty"`
}

func (d etcdOp) operation(seq uint64) Operation {
	steps := make([]Step, len(d.Steps))
	for i, s := range d.Steps {
		steps[i] = Step(s)
	}
	if len(steps) == 0 {
		steps = nil
	}
	return toOperation(formatID(seq), d.opRecord, steps)
}

// interrupt marks every step still running as interrupted.
func (d *etcdOp) interrupt() {
	for i := range d.Steps {
		if d.Steps[i].Status == StepRunning {
			d.Steps[i].Status = StepInterrupted
		}
	}
}

// Client is the journal's etcd client, for the cluster membership that
// shares its connection settings. It is closed with the journal.
func (e *Etcd) Client() *clientv3.Client { return e.cli }
