package terraform

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Event is one message of the CLI's machine-readable UI, reduced to what an
// operator watching a failover needs.
type Event struct {
	Time time.Time
	// Type is the message type: "apply_start", "apply_progress",
	// "apply_complete", "apply_errored", "provision_progress",
	// "planned_change", "change_summary", "diagnostic", "outputs", "log",
	// "version", ...; "text" for a line that was not JSON.
	Type string
	// Level is "info", "warn" or "error".
	Level string
	// Resource is the resource address the message is about, if any.
	Resource string
	// Action is "create", "update", "delete", "replace", "read", "noop",
	// when the message is about a change.
	Action string
	// Message is the CLI's human-readable text (for diagnostics, summary
	// and detail), with variable values redacted.
	Message string
	// Elapsed is how long the resource's operation has been running, for
	// apply_progress, apply_complete and apply_errored.
	Elapsed time.Duration
}

// uiMessage is the subset of the machine-readable UI format that Event needs.
type uiMessage struct {
	Level     string    `json:"@level"`
	Message   string    `json:"@message"`
	Timestamp time.Time `json:"@timestamp"`
	Type      string    `json:"type"`
	Hook      *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action         string  `json:"action"`
		ElapsedSeconds float64 `json:"elapsed_seconds"`
		Output         string  `json:"output"`
	} `json:"hook"`
	Change *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action string `json:"action"`
	} `json:"change"`
	Diagnostic *struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
	} `json:"diagnostic"`
}

// parseEvent turns one line of machine-readable UI into an Event.
func parseEvent(line []byte) Event {
	var m uiMessage
	if err := json.Unmarshal(line, &m); err != nil || m.Type == "" {
		return Event{Time: time.Now(), Type: "text", Level: "info", Message: string(line)}
	}
	e := Event{Time: m.Timestamp, Type: m.Type, Level: m.Level, Message: m.Message}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if h := m.Hook; h != nil {
		e.Resource = h.Resource.Addr
		e.Action = h.Action
		e.Elapsed = time.Duration(h.ElapsedSeconds * float64(time.Second))
	}
	if c := m.Change; c != nil {
		e.Resource = c.Resource.Addr
		e.Action = c.Action
	}
	if d := m.Diagnostic; d != nil {
		e.Message = diagnosticText(d.Severity, d.Summary, d.Detail)
	}
	return e
}

func diagnosticText(severity, summary, detail string) string {
	s := strings.ToUpper(severity[:min(1, len(severity))]) + severity[min(1, len(severity)):] + ": " + summary
	if detail = strings.TrimSpace(detail); detail != "" {
		s += ": " + strings.Join(strings.Fields(detail), " ")
	}
	return s
}

// eventWriter is the stdout of a -json command: it splits lines, hands
// Events to the callback and keeps the error diagnostics for the error
// message (with -json the CLI reports errors on stdout, not stderr).
type eventWriter struct {
	progress func(Event)
	redact   func(string) string

	mu      sync.Mutex
	partial []byte
	errs    []string
}

const maxErrorDiagnostics = 10

func newEventWriter(progress func(Event), redact func(string) string) *eventWriter {
	return &eventWriter{progress: progress, redact: redact}
}

func (w *eventWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.line(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// flush handles a last line that had no newline.
func (w *eventWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.line(w.partial)
		w.partial = nil
	}
}

func (w *eventWriter) line(b []byte) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	e := parseEvent(b)
	e.Message = w.redact(e.Message)
	if e.Type == "diagnostic" && e.Level == "error" {
		w.errs = append(w.errs, e.Message)
		if len(w.errs) > maxErrorDiagnostics {
			w.errs = w.errs[1:]
		}
	}
	if w.progress != nil {
		w.progress(e)
	}
}

// errorLines returns the error diagnostics seen so far.
func (w *eventWriter) errorLines() []string {
	w.flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.errs...)
}
