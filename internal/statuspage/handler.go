package statuspage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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

// load reads everything the page shows, stopping at the first failure.
func (h *handler) load(ctx context.Context) (*page, error) {
	doc, err := h.src.Status(ctx)
	if err == nil && doc == nil {
		err = errors.New("no status document")
	}
	if err != nil {
		return nil, &sourceError{part: "the providers' status", err: err}
	}
	ops, err := h.src.History(ctx, historyLimit)
	if err != nil {
		return nil, &sourceError{part: "the operations journal", err: err}
	}
	drills, err := h.src.DrillReports(ctx, drillsRead)
	if err != nil {
		return nil, &sourceError{part: "the drill reports", err: err}
	}
	return buildPage(doc, ops, drills, h.opts.Now(), h.opts.Refresh), nil
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
