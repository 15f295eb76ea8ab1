package statuspage

import (
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

// tone is the CSS class of a badge; the badge's text always says the same
// in words, so the page reads the same without colour.
type tone string

const (
	toneGood    tone = "good"
	toneWarn    tone = "warn"
	toneBad     tone = "bad"
	toneNeutral tone = "neutral"
)

// badge is a word with its colour.
type badge struct {
	Word string
	Tone tone
}

func providerBadge(s health.State) badge {
	switch s {
	case health.StateHealthy:
		return badge{"healthy", toneGood}
	case health.StateDegraded:
		return badge{"degraded", toneWarn}
	case health.StateDown:
		return badge{"down", toneBad}
	case health.StateAccountLost:
		return badge{"account lost", toneBad}
	case "", health.StateUnknown:
		return badge{"unknown", toneNeutral}
	}
	return badge{strings.ReplaceAll(string(s), "_", " "), toneNeutral}
}

// dnsBadge reads the DNS states the engine writes (healthy, degraded,
// down, unknown) with the provider's words.
func dnsBadge(s string) badge { return providerBadge(health.State(s)) }

func checkBadge(c checkInput) badge {
	switch {
	case c.AccountLost:
		return badge{"account lost", toneBad}
	case c.OK && c.Warning != "":
		return badge{"pass, warning", toneWarn}
	case c.OK:
		return badge{"pass", toneGood}
	case c.At.IsZero():
		return badge{"not run yet", toneNeutral}
	case c.Unknown:
		return badge{"unknown", toneWarn}
	}
	return badge{"fail", toneBad}
}

// checkInput is the part of a check result the badge needs.
type checkInput struct {
	OK, Unknown, AccountLost bool
	Warning                  string
	At                       time.Time
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// ago says how long before now t was, in the largest whole unit.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in the future" // clocks disagree; say so rather than hide it
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// duration rounds to what a reader compares: milliseconds under a
// second, tenths under a minute, whole seconds above.
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func latency(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func refreshSeconds(d time.Duration) int { return max(1, int(d.Round(time.Second)/time.Second)) }
