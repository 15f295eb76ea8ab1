// Package httpapi is the daemon's HTTP surface: a JSON API for status,
// history, drills, decisions and plans, POST endpoints for failover,
// failback, drills and the hold switch, the status page and the metrics.
// The documents are the ones `-o json` prints (package engine).
//
// Reading needs the read token (or the operate token) when one is
// configured; tokens for reading come as "Authorization: Bearer TOKEN", or
// as the password of HTTP Basic authentication, which is what a browser
// sends for the status page. Every POST needs the operate token as
// Bearer, a JSON body with Content-Type application/json, and no sign of
// coming from another origin's page: nothing a browser holds and sends by
// itself can operate.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Backend is what the API serves: the running daemon.
type Backend interface {
	Status(ctx context.Context) (*wire.StatusDoc, error)
	Operations(ctx context.Context, limit int) (wire.HistoryDoc, error)
	// Operation returns one operation, or an error wrapping journal.ErrNotFound.
	Operation(ctx context.Context, id string) (journal.Operation, error)
	Drills(ctx context.Context, limit int) (wire.DrillsDoc, error)
	Decisions(ctx context.Context, limit int) (wire.DecisionsDoc, error)
	Plan(ctx context.Context, req wire.Request, progress func(wire.Event)) (wire.Outcome, error)
	Operate(ctx context.Context, req wire.Request, hooks engine.Hooks, who string) (wire.Outcome, error)
	RunDrill(ctx context.Context, name string, progress func(wire.Event), who string) (wire.DrillReport, error)
	Hold(ctx context.Context, change *control.HoldChange, who string) (control.HoldState, error)
	// Ready says whether the daemon is watching and can act.
	Ready() error
}

// Options configure the handler.
type Options struct {
	ReadToken, OperateToken string
	// Page serves "/" (the status page); Metrics serves "/metrics".
	Page, Metrics http.Handler
	Logger        *slog.Logger
	// MaxBody caps a request body; default 64 KiB.
	MaxBody int64
	// Base is the context operations run in: the daemon's, not the
	// request's, so a client that goes away does not stop a failover.
	Base context.Context
	// Hosts are the host names a request's Host may carry besides
	// loopback names and IP addresses: the listen and advertise hosts.
	Hosts []string
	// Gate, when set, may refuse an operation once its credentials are
	// checked (a follower that no longer leads refuses what another node
	// forwarded); the error's text is the answer, with 503.
	Gate func(*http.Request) error
}

type api struct {
	b    Backend
	o    Options
	tok  tokens
	log  *slog.Logger
	base context.Context
}

// New returns the handler.
func New(b Backend, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Base == nil {
		o.Base = context.Background()
	}
	a := &api{b: b, o: o, tok: newTokens(o.ReadToken, o.OperateToken), log: o.Logger, base: o.Base}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.read(orNotFound(o.Metrics)))
	mux.Handle("GET /{$}", a.read(orNotFound(o.Page)))
	mux.Handle("GET /api/v1/status", a.read(http.HandlerFunc(a.status)))
	mux.Handle("GET /api/v1/operations", a.read(list(a, b.Operations)))
	mux.Handle("GET /api/v1/operations/{id}", a.read(http.HandlerFunc(a.operation)))
	mux.Handle("GET /api/v1/drills", a.read(list(a, b.Drills)))
	mux.Handle("GET /api/v1/decisions", a.read(list(a, b.Decisions)))
	mux.Handle("GET /api/v1/plan", a.read(http.HandlerFunc(a.plan)))
	mux.Handle("GET /api/v1/hold", a.read(http.HandlerFunc(a.holdGet)))
	mux.Handle("POST /api/v1/failover", a.operate(http.HandlerFunc(a.failover)))
	mux.Handle("POST /api/v1/failback", a.operate(http.HandlerFunc(a.failback)))
	mux.Handle("POST /api/v1/drills/{name}", a.operate(http.HandlerFunc(a.drill)))
	mux.Handle("POST /api/v1/hold", a.operate(http.HandlerFunc(a.holdSet)))
	return bodyDeadline(a.checkHost(mux))
}

func orNotFound(h http.Handler) http.Handler {
	if h == nil {
		return http.NotFoundHandler()
	}
	return h
}

// read lets through a request that may read.
func (a *api) read(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if acc, presented := a.tok.check(r); acc == accessNone {
			a.refuse(w, r, http.StatusUnauthorized, presented, "a read or operate token is needed")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// operate lets through a request carrying the operate token as Bearer,
// from no other origin's page, with a JSON body; the body is capped.
func (a *api) operate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, isBearer := bearer(r)
		_, presented := credential(r)
		var acc access
		if isBearer {
			acc, _ = a.tok.check(r)
		}
		switch {
		case !a.tok.hasOperate:
			a.refuse(w, r, http.StatusForbidden, presented, "no operate_token is configured in the server block: nothing can be changed over HTTP")
			return
		case presented && !isBearer:
			// A browser resends Basic credentials by itself, to any page's
			// form: they may read, never operate.
			a.refuseBearer(w, r, presented, "operations take the operate token as Authorization: Bearer; HTTP Basic (the status page's login) only reads")
			return
		case acc == accessRead && tok != "":
			a.refuse(w, r, http.StatusForbidden, presented, "the read token cannot operate: use the operate token")
			return
		case acc != accessOperate:
			a.refuseBearer(w, r, presented, "the operate token is needed, as Authorization: Bearer")
			return
		}
		if err := crossOrigin.Check(r); err != nil {
			a.refuse(w, r, http.StatusForbidden, presented, "a request from another origin's web page cannot operate")
			return
		}
		if err := jsonRequest(r); err != nil {
			a.refuse(w, r, http.StatusUnsupportedMediaType, presented, err.Error())
			return
		}
		if a.o.Gate != nil {
			if err := a.o.Gate(r); err != nil {
				a.log.Warn("http request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", http.StatusServiceUnavailable, "reason", err.Error())
				writeError(w, http.StatusServiceUnavailable, err.Error())
				return
			}
		}
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyReadTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, a.o.MaxBody)
		next.ServeHTTP(w, r)
	})
}

// refuseBearer is refuse with 401 and a Bearer challenge: a browser shown
// a Basic challenge would offer its login box again.
func (a *api) refuseBearer(w http.ResponseWriter, r *http.Request, presented bool, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="lifeboat"`)
	a.refuse(w, r, http.StatusUnauthorized, presented, why)
}

// refuse answers 401/403 and logs the refusal, never the token.
func (a *api) refuse(w http.ResponseWriter, r *http.Request, code int, presented bool, why string) {
	a.log.Warn("http request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", code, "token_presented", presented, "reason", why)
	if code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="lifeboat", charset="UTF-8"`)
	}
	writeError(w, code, why)
}

func (a *api) ready(w http.ResponseWriter, r *http.Request) {
	if err := a.b.Ready(); err != nil {
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

func (a *api) status(w http.ResponseWriter, r *http.Request) {
	doc, err := a.b.Status(r.Context())
	a.reply(w, doc, err)
}

// list serves a newest-first list with an optional ?limit=N.
func list[T any](a *api, get func(context.Context, int) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, ok := limitParam(w, r)
		if !ok {
			return
		}
		doc, err := get(r.Context(), limit)
		a.reply(w, doc, err)
	}
}

func (a *api) operation(w http.ResponseWriter, r *http.Request) {
	op, err := a.b.Operation(r.Context(), r.PathValue("id"))
	if errors.Is(err, journal.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no operation "+strconv.Quote(r.PathValue("id")))
		return
	}
	a.reply(w, op, err)
}

// plan answers what a failover (or, with failback=1, a failback) would
// do now.
func (a *api) plan(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	accept := q.Get("accept_data_loss") == "1" || q.Get("accept_data_loss") == "true"
	req := wire.Request{Kind: planner.KindManual, Service: q.Get("service"), From: q.Get("from"), To: q.Get("to"), AcceptDataLoss: accept}
	if fb := q.Get("failback"); fb == "1" || fb == "true" {
		req = wire.Request{Kind: planner.KindFailback, Service: q.Get("service"), AcceptDataLoss: accept}
	}
	out, err := a.b.Plan(r.Context(), req, nil)
	if errors.Is(err, engine.ErrBlocked) {
		err = nil // a blocked plan is an answer: the document says why
	}
	a.reply(w, out, err)
}

// opBody is the body of POST /failover and /failback.
type opBody struct {
	Service string `json:"service"`
	From    string `json:"from"`
	To      string `json:"to"`
	// AcceptDataLoss: see `lifeboat failover --accept-data-loss`.
	AcceptDataLoss bool `json:"accept_data_loss"`
}

func (a *api) failover(w http.ResponseWriter, r *http.Request) {
	var b opBody
	if !decode(w, r, &b) {
		return
	}
	a.run(w, r, wire.Request{Kind: planner.KindManual, Service: b.Service, From: b.From, To: b.To, AcceptDataLoss: b.AcceptDataLoss})
}

func (a *api) failback(w http.ResponseWriter, r *http.Request) {
	var b opBody
	if !decode(w, r, &b) {
		return
	}
	if b.From != "" || b.To != "" {
		writeError(w, http.StatusBadRequest, "failback takes only service: it always goes to each service's first candidate")
		return
	}
	a.run(w, r, wire.Request{Kind: planner.KindFailback, Service: b.Service, AcceptDataLoss: b.AcceptDataLoss})
}

// run executes an operation in the daemon's context: the caller going
// away does not stop a failover half-way.
func (a *api) run(w http.ResponseWriter, r *http.Request, req wire.Request) {
	who := "http " + r.RemoteAddr
	a.log.Info("operation requested over HTTP", "kind", req.Kind, "service", req.Service, "from", req.From, "to", req.To, "remote", r.RemoteAddr)
	out, err := a.b.Operate(a.base, req, engine.Hooks{}, who)
	a.reply(w, out, err)
}

func (a *api) drill(w http.ResponseWriter, r *http.Request) {
	var none struct{}
	if !decode(w, r, &none) {
		return
	}
	rep, err := a.b.RunDrill(a.base, r.PathValue("name"), nil, "http "+r.RemoteAddr)
	a.reply(w, rep, err)
}

func (a *api) holdGet(w http.ResponseWriter, r *http.Request) {
	st, err := a.b.Hold(r.Context(), nil, "")
	a.reply(w, st, err)
}

// holdBody is POST /hold's body. "on" must be written: {} would
// otherwise turn the hold switch off, and automatic failover back on.
type holdBody struct {
	On     *bool  `json:"on"`
	Reason string `json:"reason"`
}

func (a *api) holdSet(w http.ResponseWriter, r *http.Request) {
	var b holdBody
	if !decode(w, r, &b) {
		return
	}
	if b.On == nil {
		writeError(w, http.StatusBadRequest, `the hold switch needs "on": true or false`)
		return
	}
	st, err := a.b.Hold(r.Context(), &control.HoldChange{On: *b.On, Reason: b.Reason}, "http "+r.RemoteAddr)
	a.reply(w, st, err)
}

// reply writes doc as JSON, or the error with the status its sentinel
// calls for. A failed operation still returns its document (what was
// done), with the error beside it.
func (a *api) reply(w http.ResponseWriter, doc any, err error) {
	code := http.StatusOK
	switch {
	case err == nil:
	case errors.Is(err, engine.ErrInvalidRequest):
		code = http.StatusBadRequest
	case errors.Is(err, engine.ErrBlocked), errors.Is(err, control.ErrBusy), errors.Is(err, engine.ErrNoOperation):
		code = http.StatusConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, engine.ErrReleased):
		code = http.StatusServiceUnavailable
	default:
		code = http.StatusInternalServerError
	}
	if err != nil && doc == nil {
		writeError(w, code, err.Error())
		return
	}
	body := any(doc)
	if err != nil {
		body = struct {
			Error  string `json:"error"`
			Result any    `json:"result"`
		}{err.Error(), doc}
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, struct {
		Error string `json:"error"`
	}{msg})
}

// decode reads a JSON body strictly: one value, no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	err := decodeOne(r.Body, v)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
	case errors.Is(err, errEmptyBody), errors.Is(err, errTrailing), errors.Is(err, errNotObject):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		writeError(w, http.StatusBadRequest, "the request body is not valid JSON for this endpoint: "+err.Error())
	}
	return false
}

func limitParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 20, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, "limit must be a whole number, 0 for all")
		return 0, false
	}
	return n, true
}

// readHeaderTimeout bounds a request's headers: a slow client cannot hold
// a connection open before it has asked anything.
const readHeaderTimeout = 5 * time.Second
