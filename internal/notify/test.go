package notify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// EventTest is the event `lifeboat doctor --send-test` sends.
const EventTest = "doctor.test"

// SendTest delivers ev to block b now, once, without retries, and returns
// how it went: the operator waits for the answer. The block's events
// filter does not apply: a test is asked for by name. The error names
// neither the URL nor its host.
func SendTest(ctx context.Context, b *config.Notify, ev Event, client *http.Client) error {
	var dest destination
	switch {
	case b.Webhook != nil:
		dest = webhook(b.Webhook)
	case b.Slack != nil:
		dest = slack(b.Slack)
	default:
		return fmt.Errorf("notify %q has neither a webhook nor a slack block", b.Name)
	}
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	c.CheckRedirect = noRedirect
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	body, err := bounded(dest.render, ev)
	if err != nil {
		return fmt.Errorf("the test event does not encode: %w", err)
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = config.DefaultNotifyTimeout
	}
	return attempt(ctx, &c, dest, body, deliveryID(), timeout)
}
