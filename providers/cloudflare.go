package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"github.com/libdns/cloudflare"
	"github.com/libdns/libdns"
)

// cloudflareAPI is Cloudflare's API v4; libdns/cloudflare has the same
// address as a constant.
const cloudflareAPI = "https://api.cloudflare.com/client/v4"

// cloudflareDNS is libdns/cloudflare plus what libdns cannot say: whether a
// record is proxied (Cloudflare's "orange cloud"). libdns/cloudflare
// neither reads the flag nor sends it (its update is a PATCH without it, so
// an updated record keeps its flag, and a created one is not proxied).
// The flag is read and written here through the same API and token.
type cloudflareDNS struct {
	// Embedded as a value so that its settings (api_token, zone_token)
	// are the block's settings keys.
	cloudflare.Provider

	mu    sync.Mutex
	zones map[string]string // zone ID by zone name, as looked up
}

// cfRecord is the part of Cloudflare's DNS record lifeboat reads.
type cfRecord struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
	Proxied bool   `json:"proxied"`
}

// SetRecords gives each RRset of recs (a name and a type) exactly the
// records given, as libdns asks. libdns/cloudflare writes one Cloudflare
// record per record given, matched by name and type alone: a service on
// two hosts had its one www record updated twice (the last address won),
// and two www records were an error. Address sets (A, AAAA) are written
// here, one Cloudflare record per address; other records go to it.
func (p *cloudflareDNS) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	type key struct{ name, typ string }
	var order []key
	sets := map[key][]libdns.RR{}
	for _, r := range recs {
		rr := r.RR()
		k := key{strings.ToLower(rr.Name), strings.ToUpper(rr.Type)}
		if sets[k] == nil {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	var single []libdns.Record
	for _, r := range recs {
		rr := r.RR()
		k := key{strings.ToLower(rr.Name), strings.ToUpper(rr.Type)}
		if k.typ != "A" && k.typ != "AAAA" {
			single = append(single, r)
		}
	}
	var out []libdns.Record
	if len(single) > 0 {
		got, err := p.Provider.SetRecords(ctx, zone, single)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	for _, k := range order {
		set := sets[k]
		if k.typ != "A" && k.typ != "AAAA" {
			continue
		}
		if err := p.setAddresses(ctx, zone, set); err != nil {
			return out, err
		}
		for _, rr := range set {
			out = append(out, rr)
		}
	}
	return out, nil
}

// maxSetRecords bounds an address set read back in one page.
const maxSetRecords = 100

// setAddresses makes the records of one A or AAAA RRset hold exactly the
// addresses of set (same name, type and TTL). Records already holding a
// wanted address stay; others are changed to a missing address (their
// proxy flag kept), then new ones made, proxied as the set was; what is
// left over is deleted last, so the name never answers nothing.
func (p *cloudflareDNS) setAddresses(ctx context.Context, zone string, set []libdns.RR) error {
	id, err := p.zoneID(ctx, zone)
	if err != nil {
		return err
	}
	typ := strings.ToUpper(set[0].Type)
	fqdn := strings.TrimSuffix(libdns.AbsoluteName(strings.TrimPrefix(set[0].Name, "@"), zone), ".")
	ttl := max(1, int(set[0].TTL.Seconds()))
	base := "/zones/" + url.PathEscape(id) + "/dns_records"
	q := url.Values{"type": {typ}, "name": {fqdn}, "per_page": {fmt.Sprint(maxSetRecords)}}
	var recs []cfRecord
	if _, err := p.api(ctx, http.MethodGet, base+"?"+q.Encode(), "", nil, &recs); err != nil {
		return err
	}
	if len(recs) >= maxSetRecords {
		return fmt.Errorf("cloudflare: %s %s has %d records or more", fqdn, typ, maxSetRecords)
	}
	proxied := false
	var have, want []string
	for _, r := range recs {
		proxied = proxied || r.Proxied
		have = append(have, r.Content)
	}
	for _, rr := range set {
		want = append(want, rr.Data)
	}
	c := diffSet(typ, have, want)
	patch := func(r cfRecord, body map[string]any) error {
		_, err := p.api(ctx, http.MethodPatch, base+"/"+url.PathEscape(r.ID), "", jsonBody(body), nil)
		return err
	}
	for _, k := range c.kept {
		if r := recs[k[0]]; !r.Proxied && r.TTL != ttl {
			if err := patch(r, map[string]any{"ttl": ttl}); err != nil {
				return err
			}
		}
	}
	for _, k := range c.reuse {
		r := recs[k[0]]
		body := map[string]any{"content": want[k[1]]}
		if !r.Proxied {
			body["ttl"] = ttl
		}
		if err := patch(r, body); err != nil {
			return err
		}
	}
	for _, j := range c.add {
		body := map[string]any{"type": typ, "name": fqdn, "content": want[j], "ttl": ttl, "proxied": proxied}
		if proxied {
			body["ttl"] = 1 // automatic, as Cloudflare sets a proxied record's
		}
		if _, err := p.api(ctx, http.MethodPost, base, "", jsonBody(body), nil); err != nil {
			return err
		}
	}
	for _, i := range c.del {
		if _, err := p.api(ctx, http.MethodDelete, base+"/"+url.PathEscape(recs[i].ID), "", nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// sameAddress compares two IP addresses as addresses (2001:db8::1 and
// 2001:DB8:0::1 are one).
func sameAddress(a, b string) bool {
	x, errA := netip.ParseAddr(a)
	y, errB := netip.ParseAddr(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return x == y
}

func jsonBody(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

type cfEnvelope struct {
	Result  json.RawMessage `json:"result"`
	Success bool            `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	ResultInfo *struct {
		Page       int `json:"page"`
		TotalPages int `json:"total_pages"`
	} `json:"result_info"`
}

// maxProxiedPages bounds the listing: 100 records a page, 100 pages.
const maxProxiedPages = 100

// Proxied returns, by RRset ("www A", "@ AAAA": names relative to zone,
// lower-case, "@" the apex), whether any of its records is proxied.
// RRsets that are not proxied are absent.
func (p *cloudflareDNS) Proxied(ctx context.Context, zone string) (map[string]bool, error) {
	id, err := p.zoneID(ctx, zone)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for page := 1; page <= maxProxiedPages; page++ {
		q := url.Values{"page": {fmt.Sprint(page)}, "per_page": {"100"}}
		var recs []cfRecord
		env, err := p.api(ctx, http.MethodGet, "/zones/"+url.PathEscape(id)+"/dns_records?"+q.Encode(), "", nil, &recs)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.Proxied {
				out[relName(r.Name, zone)+" "+strings.ToUpper(r.Type)] = true
			}
		}
		if env.ResultInfo == nil || len(recs) == 0 || page >= env.ResultInfo.TotalPages {
			return out, nil
		}
	}
	return nil, fmt.Errorf("cloudflare: zone %s lists more than %d pages of records", zone, maxProxiedPages)
}

// SetProxied switches the proxy of every record of the RRset name (relative
// to zone, "@" the apex) and typ on or off. Only internal/dnswriter calls it.
func (p *cloudflareDNS) SetProxied(ctx context.Context, zone, name, typ string, on bool) error {
	id, err := p.zoneID(ctx, zone)
	if err != nil {
		return err
	}
	q := url.Values{"type": {strings.ToUpper(typ)}, "name": {strings.TrimSuffix(libdns.AbsoluteName(strings.TrimPrefix(name, "@"), zone), ".")}}
	var recs []cfRecord
	if _, err := p.api(ctx, http.MethodGet, "/zones/"+url.PathEscape(id)+"/dns_records?"+q.Encode(), "", nil, &recs); err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("cloudflare: no %s record %s to set proxied on", typ, name)
	}
	body, _ := json.Marshal(map[string]bool{"proxied": on})
	for _, r := range recs {
		if r.Proxied == on {
			continue
		}
		path := "/zones/" + url.PathEscape(id) + "/dns_records/" + url.PathEscape(r.ID)
		if _, err := p.api(ctx, http.MethodPatch, path, "", body, nil); err != nil {
			return err
		}
	}
	return nil
}

func (p *cloudflareDNS) zoneID(ctx context.Context, zone string) (string, error) {
	p.mu.Lock()
	id, ok := p.zones[zone]
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	var zones []struct {
		ID string `json:"id"`
	}
	q := url.Values{"name": {strings.TrimSuffix(zone, ".")}}
	if _, err := p.api(ctx, http.MethodGet, "/zones?"+q.Encode(), p.ZoneToken, nil, &zones); err != nil {
		return "", err
	}
	if len(zones) != 1 {
		return "", fmt.Errorf("cloudflare: expected 1 zone named %s, got %d", zone, len(zones))
	}
	p.mu.Lock()
	if p.zones == nil {
		p.zones = map[string]string{}
	}
	p.zones[zone] = zones[0].ID
	p.mu.Unlock()
	return zones[0].ID, nil
}

// api makes one call; token, when set, replaces the API token (the zone
// lookup may use the zone token). Errors quote Cloudflare's messages,
// never the token.
func (p *cloudflareDNS) api(ctx context.Context, method, path, token string, body []byte, result any) (cfEnvelope, error) {
	var env cfEnvelope
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, cloudflareAPI+path, rd)
	if err != nil {
		return env, fmt.Errorf("cloudflare: %w", err)
	}
	if token == "" {
		token = p.APIToken
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var c cloudflare.HTTPClient = http.DefaultClient
	if p.HTTPClient != nil {
		c = p.HTTPClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return env, fmt.Errorf("cloudflare: %s %s: %w", method, strings.SplitN(path, "?", 2)[0], err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&env); err != nil {
		return env, fmt.Errorf("cloudflare: %s: HTTP %d: %w", method, resp.StatusCode, err)
	}
	if resp.StatusCode >= 400 || !env.Success || len(env.Errors) > 0 {
		var msgs []string
		for _, e := range env.Errors {
			msgs = append(msgs, fmt.Sprintf("%d %s", e.Code, e.Message))
		}
		return env, fmt.Errorf("cloudflare: %s: HTTP %d: %s", method, resp.StatusCode, strings.Join(msgs, "; "))
	}
	if result != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, result); err != nil {
			return env, fmt.Errorf("cloudflare: %s: %w", method, err)
		}
	}
	return env, nil
}

// relName is Cloudflare's full record name relative to zone, lower-case,
// "@" for the apex.
func relName(name, zone string) string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	zone = strings.ToLower(strings.TrimSuffix(zone, "."))
	if name == zone {
		return "@"
	}
	return strings.TrimSuffix(name, "."+zone)
}

// proxier is what cloudflareDNS adds to DNS (dnswriter.Proxier).
type proxier interface {
	Proxied(ctx context.Context, zone string) (map[string]bool, error)
	SetProxied(ctx context.Context, zone, name, typ string, on bool) error
}

// guardedProxy is a guarded provider that can also read and switch
// Cloudflare's proxy; its calls are guarded the same way.
type guardedProxy struct {
	*guarded
	px proxier
}

func (g *guardedProxy) Proxied(ctx context.Context, zone string) (map[string]bool, error) {
	var out map[string]bool
	_, err := call(ctx, g.guarded, "Proxied", func(ctx context.Context) ([]libdns.Record, error) {
		m, err := g.px.Proxied(ctx, zone)
		out = m
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (g *guardedProxy) SetProxied(ctx context.Context, zone, name, typ string, on bool) error {
	_, err := call(ctx, g.guarded, "SetProxied", func(ctx context.Context) ([]libdns.Record, error) {
		return nil, g.px.SetProxied(ctx, zone, name, typ, on)
	})
	return err
}
