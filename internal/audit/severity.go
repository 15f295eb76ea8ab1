package audit

import (
	"errors"
	"fmt"
	"strings"
)

// Severity orders findings; the zero value is Low.
type Severity int

const (
	Low Severity = iota
	Medium
	High
	Critical
)

var severityWords = [...]string{"low", "medium", "high", "critical"}

// ErrSeverity is returned for a word that is not a severity.
var ErrSeverity = errors.New("unknown severity")

func (s Severity) String() string {
	if s < Low || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityWords[s]
}

// ParseSeverity reads one of the four words, in any case (for --fail-on).
func ParseSeverity(s string) (Severity, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	for i, word := range severityWords {
		if w == word {
			return Severity(i), nil
		}
	}
	return Low, fmt.Errorf("%w %q: use one of %s", ErrSeverity, s, strings.Join(severityWords[:], ", "))
}

// MarshalText writes the word, so JSON shows "high" rather than 2.
func (s Severity) MarshalText() ([]byte, error) {
	if s < Low || s > Critical {
		return nil, fmt.Errorf("%w: %d", ErrSeverity, int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads the word written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
