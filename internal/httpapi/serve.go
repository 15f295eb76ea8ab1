package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Listen opens the configured address, with TLS when tls_cert and tls_key
// are set, and the connection caps. The daemon listens before it reports
// ready, so an address in use or an unreadable certificate fails its
// start with the reason.
func Listen(s *config.Server, log *slog.Logger) (net.Listener, error) {
	var tlsConf *tls.Config
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("server: load tls_cert %s and tls_key %s: %w", s.TLSCert, s.TLSKey, err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	l, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", s.Listen, err)
	}
	total, perClient := s.MaxConnections, s.MaxConnectionsPerClient
	if total <= 0 {
		total = config.DefaultMaxConnections
	}
	if perClient <= 0 {
		perClient = min(config.DefaultMaxConnectionsPerClient, total)
	}
	l = newLimitListener(l, total, perClient, log)
	if s.InsecurePlaintext {
		log.Warn("server.insecure_plaintext is set: the API's tokens and answers may cross the network in clear", "listen", s.Listen, "advertise", s.Advertise)
	}
	if tlsConf != nil {
		l = tls.NewListener(l, tlsConf)
	}
	return l, nil
}

// Serve answers on l until ctx ends, then stops taking requests and gives
// those in flight up to grace to finish. idle closes a keep-alive
// connection without a request for that long (server.idle_timeout).
func Serve(ctx context.Context, l net.Listener, h http.Handler, idle, grace time.Duration, log *slog.Logger) error {
	if idle <= 0 {
		idle = config.DefaultServerIdleTimeout
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
