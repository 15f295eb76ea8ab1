package registrar

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// gandi sets nameservers through Gandi's API (v5): GET and PUT
// /domain/domains/DOMAIN/nameservers with a personal access token. Glue
// is not set: Gandi keeps glue as separate host objects, outside what this
// changes, so name nameservers outside the zone.
type gandi struct{ api *apiClient }

const gandiEndpoint = "https://api.gandi.net/v5"

func newGandi(s settings) (Registrar, []string) {
	base, problems := endpoint(s, gandiEndpoint)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s["bearer_token"])
	return &gandi{api: newAPIClient(base, h, s["bearer_token"])}, problems
}

func gandiMessage(data []byte) string {
	var a struct {
		Message string `json:"message"`
		Errors  []struct {
			Description string `json:"description"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &a) != nil {
		return string(data)
	}
	msg := a.Message
	for _, e := range a.Errors {
		msg += "; " + e.Description
	}
	return strings.TrimPrefix(msg, "; ")
}

func (g *gandi) path(zone string) string { return "/domain/domains/" + domain(zone) + "/nameservers" }

func (g *gandi) Nameservers(ctx context.Context, zone string) ([]string, error) {
	var names []string
	if err := g.api.call(ctx, http.MethodGet, g.path(zone), nil, &names, gandiMessage); err != nil {
		return nil, fmt.Errorf("gandi: %w", err)
	}
	return fqdns(names), nil
}

// SetNameservers ignores glue: Gandi manages it as separate host objects,
// which this does not change.
func (g *gandi) SetNameservers(ctx context.Context, zone string, ns []string, _ map[string][]netip.Addr) error {
	names := make([]string, 0, len(ns))
	for _, n := range fqdns(ns) {
		names = append(names, strings.TrimSuffix(n, "."))
	}
	if err := g.api.call(ctx, http.MethodPut, g.path(zone), map[string]any{"nameservers": names}, nil, gandiMessage); err != nil {
		return fmt.Errorf("gandi: %w", err)
	}
	return nil
}
