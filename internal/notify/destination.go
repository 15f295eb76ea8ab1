package notify

import (
	"net/http"
	"time"
)

// destination is where one block's events go: its URL (a secret), the body
// an event becomes, and the headers one attempt carries.
type destination struct {
	url    string
	render func(Event) ([]byte, error)
	// header sets the attempt's headers; now is the attempt's time and
	// id the event's delivery id.
	header func(h http.Header, body []byte, now time.Time, id string)
}
