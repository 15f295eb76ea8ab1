package config

import (
	"os"
	"regexp"
	"strings"
)

// nodeName is what state.etcd.node may be: it names etcd keys and shows
// in status, so it stays short and plain.
var nodeName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// defaultNodeName is the host name, made to fit nodeName.
func defaultNodeName() string {
	h, err := os.Hostname()
	if err != nil {
		return "lifeboat"
	}
	h = strings.ToLower(h)
	h = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, h)
	h = strings.TrimLeft(h, ".-_")
	if len(h) > 63 {
		h = h[:63]
	}
	if h == "" {
		return "lifeboat"
	}
	return h
}
