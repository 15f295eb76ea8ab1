// Command lifeboat-host stands in for a machine at a hosting provider in the
// local example and the tests: it serves a fixed body on "/" and "/healthz".
//
// It writes its pidfile only once it is listening, so a script that starts it
// in the background can poll for the pidfile to know it is up, and removes the
// pidfile when SIGTERM or SIGINT stops it.
//
//	lifeboat-host -listen 127.0.0.11:18080 -body alpha -pidfile run/alpha.pid [-log run/alpha.log]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lifeboat-host:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:18080", "address to serve on (ip:port)")
	body := flag.String("body", "ok", "response body for / and /healthz")
	pidfile := flag.String("pidfile", "", "file to write the pid to once listening (removed on exit)")
	logPath := flag.String("log", "", "append the log to this file instead of stderr")
	flag.Parse()

	var logw io.Writer = os.Stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open log: %w", err)
		}
		defer f.Close()
		logw = f
	}
	log := slog.New(slog.NewTextHandler(logw, nil))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if *pidfile != "" {
		if err := writePidfile(*pidfile); err != nil {
			l.Close()
			return err
		}
		defer os.Remove(*pidfile)
	}

	serve := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, *body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", serve)
	mux.HandleFunc("/healthz", serve)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("serving", "addr", l.Addr().String(), "pid", os.Getpid())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// writePidfile writes through a temporary file and a rename, so a poller
// never reads a half-written pid.
func writePidfile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pid-*")
	if err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	_, werr := tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pidfile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pidfile: %w", err)
	}
	return nil
}
