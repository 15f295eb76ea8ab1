package notify

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// webhook posts the Event itself as JSON, with the configured headers and,
// given a secret, a signature over the timestamp and the exact body.
func webhook(hook *config.Webhook) destination {
	return destination{
		url:    hook.URL,
		render: func(ev Event) ([]byte, error) { return json.Marshal(ev) },
		header: func(h http.Header, body []byte, now time.Time, id string) {
			h.Set("Content-Type", "application/json")
			for k, v := range hook.Headers {
				h.Set(k, v)
			}
			// Set last, so that a configured header cannot replace them.
			h.Set(HeaderDelivery, id)
			if hook.Secret != "" {
				ts := now.Unix()
				h.Set(HeaderTimestamp, formatInt(ts))
				h.Set(HeaderSignature, Sign(hook.Secret, ts, body))
			}
		},
	}
}
