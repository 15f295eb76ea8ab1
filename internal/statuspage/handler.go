package statuspage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"net/http"
	"strconv"
	"time"
)

type handler struct {
	src  Source
	opts Options
}

// sourceError says which read failed; its text is for the log only.
type sourceError struct {
	part string // what the page could not read, in the operator's words
	err  error
}

func (e *sourceError) Error() string { return e.part + ": " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()

	var buf bytes.Buffer
	status := http.StatusOK
	pg, err := h.load(ctx)
	if err == nil {
		err = pageTmpl.Execute(&buf, pg)
		if err != nil {
			err = fmt.Errorf("statuspage: render: %w", err)
		}
	}
	if err != nil {
		status = http.StatusServiceUnavailable
		if !errors.As(err, new(*sourceError)) {
			status = http.StatusInternalServerError
		}
		h.opts.Logger.ErrorContext(r.Context(), "status page unavailable", "err", err)
		buf.Reset()
		if rerr := errorTmpl.Execute(&buf, h.errorPage(err)); rerr != nil {
			// The error template is static apart from a few strings; if it
			// fails anyway, plain text still tells the browser what happened.
			http.Error(w, "status unavailable", status)
			return
		}
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Nothing on the page needs a script, a font or an image from
	// anywhere: the policy makes that a promise the browser keeps.
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	if status != http.StatusOK {
		hdr.Set("Retry-After", strconv.Itoa(int(h.opts.Refresh.Seconds())))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away; nothing to do
	}
}

// journalWait bounds the reads of the history and the drill reports: a
// journal that does not answer (etcd cut off from this node) leaves them
// out rather than the providers' status.
const journalWait = 3 * time.Second

// load reads everything the page shows. Without the status there is no
// page; without the history or the drill reports the page says they are
// missing (the error itself goes to the log).
func (h *handler) load(ctx context.Context) (*page, error) {
	doc, err := h.src.Status(ctx)
	if err == nil && doc == nil {
		err = errors.New("no status document")
	}
	if err != nil {
		return nil, &sourceError{part: "the providers' status", err: err}
	}
	jctx, cancel := context.WithTimeout(ctx, journalWait)
	defer cancel()
	ops, err := h.src.History(jctx, historyLimit)
	if err != nil {
		h.opts.Logger.ErrorContext(ctx, "status page: the operations journal cannot be read", "err", err)
		doc = withWarning(doc, "The operations journal could not be read just now: recent operations are not shown.")
	}
	drills, err := h.src.DrillReports(jctx, drillsRead)
	if err != nil {
		h.opts.Logger.ErrorContext(ctx, "status page: the drill reports cannot be read", "err", err)
		doc = withWarning(doc, "The drill reports could not be read just now: drills are not shown.")
	}
	return buildPage(doc, ops, drills, h.opts.Now(), h.opts.Refresh, h.opts.DrillMaxAge), nil
}

// withWarning returns a copy of doc with one more warning; the source's
// document is not changed.
func withWarning(doc *wire.StatusDoc, w string) *wire.StatusDoc {
	c := *doc
	c.Warnings = append(append([]string(nil), doc.Warnings...), w)
	return &c
}

// errorPage says what failed without the error's text: it may name files
// or hosts the page's readers need not see. The text goes to the log.
func (h *handler) errorPage(err error) errorView {
	v := errorView{
		Refresh:  refreshSeconds(h.opts.Refresh),
		Rendered: formatTime(h.opts.Now()),
		What:     "the status page itself",
		Why:      "it failed",
	}
	var se *sourceError
	if errors.As(err, &se) {
		v.What = se.part
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		v.Why = fmt.Sprintf("it did not answer within %s", h.opts.Timeout)
	case errors.Is(err, context.Canceled):
		v.Why = "the request was cancelled"
	}
	return v
}
