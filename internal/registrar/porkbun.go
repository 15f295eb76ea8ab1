package registrar

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// porkbun sets nameservers through Porkbun's API (v3): POST
// /domain/getNs/DOMAIN and /domain/updateNs/DOMAIN, the keys in the JSON
// body. Glue is not set: Porkbun keeps glue as separate host records,
// outside what this changes, so name nameservers outside the zone.
type porkbun struct {
	api                  *apiClient
	apiKey, secretAPIKey string
}

const porkbunEndpoint = "https://api.porkbun.com/api/json/v3"

func newPorkbun(s settings) (Registrar, []string) {
	base, problems := endpoint(s, porkbunEndpoint)
	api := newAPIClient(base, http.Header{}, s["api_key"], s["secret_api_key"])
	return &porkbun{api: api, apiKey: s["api_key"], secretAPIKey: s["secret_api_key"]}, problems
}

type porkbunAnswer struct {
	Status  string   `json:"status"`
	Message string   `json:"message"`
	NS      []string `json:"ns"`
}

func porkbunMessage(data []byte) string {
	var a porkbunAnswer
	if json.Unmarshal(data, &a) != nil {
		return string(data)
	}
	return a.Message
}

func (p *porkbun) post(ctx context.Context, path string, body map[string]any) (porkbunAnswer, error) {
	body["apikey"], body["secretapikey"] = p.apiKey, p.secretAPIKey
	var a porkbunAnswer
	if err := p.api.call(ctx, http.MethodPost, path, body, &a, porkbunMessage); err != nil {
		return a, fmt.Errorf("porkbun: %w", err)
	}
	if !strings.EqualFold(a.Status, "SUCCESS") {
		return a, fmt.Errorf("porkbun: %s: %s", path, clip(p.api.redact(a.Status+": "+a.Message)))
	}
	return a, nil
}

func (p *porkbun) Nameservers(ctx context.Context, zone string) ([]string, error) {
	a, err := p.post(ctx, "/domain/getNs/"+domain(zone), map[string]any{})
	if err != nil {
		return nil, err
	}
	return fqdns(a.NS), nil
}

// SetNameservers ignores glue: Porkbun manages it as separate host objects,
// which this does not change.
func (p *porkbun) SetNameservers(ctx context.Context, zone string, ns []string, _ map[string][]netip.Addr) error {
	names := make([]string, 0, len(ns))
	for _, n := range fqdns(ns) {
		names = append(names, strings.TrimSuffix(n, "."))
	}
	_, err := p.post(ctx, "/domain/updateNs/"+domain(zone), map[string]any{"ns": names})
	return err
}
