package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// webhookTimeout bounds one webhook call.
const webhookTimeout = 10 * time.Second

// notifyEvent is the notify.events name an operation's notification
// belongs to: failover, failback or drill.
func notifyEvent(kind string) string {
	switch planner.Kind(kind) {
	case planner.KindFailback:
		return config.EventFailback
	case planner.KindDrill:
		return config.EventDrill
	}
	return config.EventFailover
}

// Notify posts the notification as JSON to every named notify block's
// webhook whose events include it. Errors never include the webhook URL:
// it often carries a token.
func (e *Engine) Notify(ctx context.Context, names []string, n executor.Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	event := notifyEvent(n.Kind)
	var errs []error
	for _, name := range names {
		block := e.notifyBlock(name)
		if block == nil || block.Webhook == nil {
			continue
		}
		if len(block.Events) > 0 && !slices.Contains(block.Events, event) {
			continue
		}
		if err := postWebhook(ctx, block.Webhook, body); err != nil {
			errs = append(errs, fmt.Errorf("notify %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// webhookClient never follows a redirect: the body (the timeline) and the
// configured headers must reach only the configured URL, and a redirect
// would also carry that URL, tokens and all, in a Referer.
var webhookClient = &http.Client{
	Timeout: webhookTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// postWebhook sends body once; its errors never quote the URL.
func postWebhook(ctx context.Context, hook *config.Webhook, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("invalid webhook request")
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hook.Headers {
		req.Header.Set(k, v)
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("webhook not reached: %w", ctx.Err())
		}
		return errors.New("webhook unreachable")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Errorf("webhook answered %s, a redirect, which lifeboat does not follow: configure the final URL", resp.Status)
	case resp.StatusCode >= 300:
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

func (e *Engine) notifyBlock(name string) *config.Notify {
	for _, n := range e.Cfg.Notify {
		if n.Name == name {
			return n
		}
	}
	return nil
}
