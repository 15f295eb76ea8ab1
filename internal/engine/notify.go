package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/executor"
)

// Notify posts the notification as JSON to every named notify block's
// webhook. Errors never include the webhook URL: it often carries a token.
func (e *Engine) Notify(ctx context.Context, names []string, n executor.Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var errs []error
	for _, name := range names {
		var hook = e.notifyBlock(name)
		if hook == nil {
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %q: invalid webhook request", name))
			continue
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hook.Headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %q: webhook unreachable", name))
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			errs = append(errs, fmt.Errorf("notify %q: webhook answered %s", name, resp.Status))
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) notifyBlock(name string) *webhook {
	for _, n := range e.Cfg.Notify {
		if n.Name == name && n.Webhook != nil {
			return &webhook{URL: n.Webhook.URL, Headers: n.Webhook.Headers}
		}
	}
	return nil
}

type webhook struct {
	URL     string
	Headers map[string]string
}
