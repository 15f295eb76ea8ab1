package health

import "unicode/utf8"

// MaxResponseHeader bounds an HTTP check's status line and headers.
const MaxResponseHeader = 64 << 10

// MaxReason bounds a result's reason and warning in bytes.
const MaxReason = 512

// capText cuts s to at most MaxReason bytes on a rune boundary, marking
// the cut.
func capText(s string) string {
	if len(s) <= MaxReason {
		return s
	}
	const mark = "… (cut)"
	cut := MaxReason - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
