package notify

import "unicode/utf8"

// MaxBody bounds every notification's body in bytes: an event quoting
// whatever a hostile target sent must not make megabyte posts.
const MaxBody = 64 << 10

// maxField bounds Summary and Error in a body that had to be cut.
const maxField = 4 << 10

// bounded renders ev within MaxBody: when it does not fit, the details
// are left out (a note says so) and the summary and error are cut.
func bounded(render func(Event) ([]byte, error), ev Event) ([]byte, error) {
	body, err := render(ev)
	if err != nil || len(body) <= MaxBody {
		return body, err
	}
	small := ev
	small.Details = "left out: the notification would have been larger than the limit; see `lifeboat history`"
	small.Summary, small.Error = cutString(ev.Summary, maxField), cutString(ev.Error, maxField)
	small.Service, small.Provider, small.Operation = cutString(ev.Service, 256), cutString(ev.Provider, 256), cutString(ev.Operation, 256)
	return render(small)
}

// cutString cuts s to at most n bytes on a rune boundary, marking the cut.
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "… (cut)"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
