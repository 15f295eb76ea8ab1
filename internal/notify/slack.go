package notify

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// slackTextMax keeps a summary within the 3000 characters Slack accepts in
// a section block.
const slackTextMax = 2900

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks,omitempty"`
}

// slack posts an incoming-webhook message: the summary as the text (what
// phones show), and a context line naming the event, service and operation.
func slack(s *config.Slack) destination {
	return destination{
		url:    s.URL,
		render: renderSlack,
		header: func(h http.Header, _ []byte, _ time.Time, _ string) {
			h.Set("Content-Type", "application/json")
		},
	}
}

func renderSlack(ev Event) ([]byte, error) {
	text := slackEscape(oneLine(summary(ev), slackTextMax))
	ctx := []string{ev.Event}
	for _, s := range []string{ev.Service, ev.Provider, ev.Operation} {
		if s != "" {
			ctx = append(ctx, s)
		}
	}
	ctx = append(ctx, ev.At.UTC().Format(time.RFC3339))
	msg := slackMessage{Text: text, Blocks: []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: text}},
		{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: slackEscape(strings.Join(ctx, " | "))}}},
	}}
	return json.Marshal(msg)
}

// summary is the event's one line, or a plain one built from its names.
func summary(ev Event) string {
	if strings.TrimSpace(ev.Summary) != "" {
		return ev.Summary
	}
	s := "lifeboat: " + ev.Event
	if ev.Service != "" {
		s += " for " + ev.Service
	}
	if ev.Error != "" {
		s += ": " + ev.Error
	}
	return s
}

// oneLine folds line breaks into spaces and cuts s to max characters.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-3]) + "..."
}

// slackEscape escapes the three characters Slack reserves for its markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
