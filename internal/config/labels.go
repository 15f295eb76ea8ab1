package config

import "strconv"

// Block labels name things in step IDs ("www/bravo/apply"), journal keys,
// comma-separated lists and file names, so they are kept to characters
// that mean nothing in any of those.
const (
	maxLabelLen = 64
	labelRule   = "a name must start with a letter or digit and contain only letters, digits, '-', '_' and '.' (at most 64 characters)"
)

// validLabel reports whether a block label follows labelRule.
func validLabel(s string) bool {
	if len(s) == 0 || len(s) > maxLabelLen || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// quoteLabel quotes a label for a message; labels are literal text in the
// file, never secrets, but a long one is cut short.
func quoteLabel(s string) string {
	if len(s) > maxLabelLen+16 {
		s = s[:maxLabelLen+16] + "..."
	}
	return strconv.Quote(s)
}
