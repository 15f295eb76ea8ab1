package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Handler answers one request. It talks back through conv; its result is
// sent as JSON in the final message.
type Handler interface {
	Handle(ctx context.Context, req Request, conv *Conv) (any, error)
}

// Conv is the daemon's side of one connection.
type Conv struct {
	mu      sync.Mutex
	enc     *json.Encoder
	answers <-chan Answer
	// Peer says who connected, for the journal ("uid 1000 pid 4242").
	Peer string
}

// Progress sends one event; a client that went away is not an error here
// (its request's context is cancelled instead).
func (c *Conv) Progress(ev wire.Event) {
	c.send(Message{Event: &ev})
}

// Confirm sends the plan and waits for the client's answer.
func (c *Conv) Confirm(ctx context.Context, plan planner.Result) error {
	if err := c.send(Message{Confirm: &plan}); err != nil {
		return fmt.Errorf("%w: the client went away", engine.ErrCancelled)
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w (%w)", engine.ErrCancelled, context.Cause(ctx))
	case a, ok := <-c.answers:
		switch {
		case !ok:
			return fmt.Errorf("%w: the client went away", engine.ErrCancelled)
		case a.Confirm:
			return nil
		case a.Error != "":
			return fmt.Errorf("%w: %s", engine.ErrCancelled, a.Error)
		}
		return engine.ErrCancelled
	}
}

func (c *Conv) send(m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enc.Encode(m)
}

// Listen opens the socket at path for the journal's owner only. A socket
// left by a daemon that died is replaced; one a live daemon answers on is
// not (the caller holds the journal lock first, so that only happens when
// something else took the path).
func Listen(path string) (net.Listener, error) {
	if len(path) >= len(unix.RawSockaddrUnix{}.Path) {
		return nil, fmt.Errorf("control socket %s: the path is %d bytes, longer than a Unix socket allows (%d): use a shorter state.path",
			path, len(path), len(unix.RawSockaddrUnix{}.Path)-1)
	}
	if fi, err := os.Lstat(path); err == nil {
		// Only a socket is ever removed: anything else at the path (a
		// journal, a file the operator put there) is theirs to move.
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("control socket %s: %w: a %s is there; move it away or choose another state.path", path, ErrNotSocket, fileKind(fi.Mode()))
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("control socket %s: another process is listening on it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control socket %s: remove the stale one: %w", path, err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// Owner only. Peers are also checked one by one (peerAllowed), which
	// covers the moment between listen and chmod.
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return l, nil
}

// ErrNotSocket: something other than a socket is at the control socket's
// path, and lifeboat does not remove it.
var ErrNotSocket = errors.New("not a socket")

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m.IsRegular():
		return "regular file"
	}
	return "file of another kind"
}

// Serve answers connections on l until ctx ends, then closes l and waits
// for the requests in flight, whose context is ctx's.
func Serve(ctx context.Context, l net.Listener, h Handler, log *slog.Logger) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			log.Warn("control socket: accept failed", "err", err)
			select { // out of file descriptors, say: do not spin
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(ctx, conn, h, log)
		}()
	}
}

func serveConn(ctx context.Context, conn net.Conn, h Handler, log *slog.Logger) {
	defer conn.Close()
	enc := json.NewEncoder(conn)
	peer, err := peerAllowed(conn)
	if err != nil {
		log.Warn("control socket: connection refused", "err", err)
		_ = enc.Encode(Message{Done: true, Error: err.Error()})
		return
	}
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	if !sc.Scan() {
		return
	}
	var req Request
	if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
		_ = enc.Encode(Message{Done: true, Error: fmt.Sprintf("%v: the request does not decode: %v", engine.ErrInvalidRequest, err), Code: "invalid"})
		return
	}
	// The client's going away cancels its request: an operator's Ctrl-C
	// on the command stops the operation as it would without a daemon.
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	answers := make(chan Answer, 1)
	go func() {
		defer close(answers)
		for sc.Scan() {
			var a Answer
			if json.Unmarshal(sc.Bytes(), &a) == nil {
				select {
				case answers <- a:
				default:
				}
			}
		}
		cancel(errors.New("the client went away"))
	}()
	conv := &Conv{enc: enc, answers: answers, Peer: peer}
	res, err := h.Handle(rctx, req, conv)
	final := Message{Done: true}
	if res != nil {
		b, merr := json.Marshal(res)
		if merr != nil {
			err = errors.Join(err, merr)
		} else {
			final.Result = b
		}
	}
	if err != nil {
		final.Error, final.Code = err.Error(), Code(err)
	}
	_ = conv.send(final)
}

// peerAllowed accepts the socket's owner and root only.
func peerAllowed(conn net.Conn) (string, error) {
	cred, err := peerCred(conn)
	if err != nil {
		return "", err
	}
	if !trustedUID(cred.Uid) {
		return "", fmt.Errorf("uid %d may not use this daemon (it runs as uid %d)", cred.Uid, os.Getuid())
	}
	return fmt.Sprintf("uid %d pid %d", cred.Uid, cred.Pid), nil
}

// trustedUID: this process's own user, or root. Both ends of the socket
// use it: the daemon for its clients, the CLI for the daemon.
func trustedUID(uid uint32) bool {
	return int(uid) == os.Getuid() || uid == 0
}

// peerCred is the kernel's record of who is at the other end of conn,
// taken when the connection was made: it cannot be forged by the peer.
func peerCred(conn net.Conn) (*unix.Ucred, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return nil, errors.New("not a Unix socket connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, err
	}
	if cerr != nil {
		return nil, fmt.Errorf("read the peer's credentials: %w", cerr)
	}
	return cred, nil
}
