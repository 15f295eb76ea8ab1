package testharness

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// CloudflareRecord is one DNS record held by the Cloudflare stand-in, as
// Cloudflare's API v4 shows it: Name fully qualified without the final dot.
type CloudflareRecord struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
	Proxied bool   `json:"proxied"`
}

// Cloudflare is a loopback stand-in for the part of Cloudflare's API v4
// that libdns/cloudflare and lifeboat call: the zone lookup, listing and
// filtering dns_records (page, type, name, content.exact,
// content.contains), and creating, patching and deleting records. As at
// Cloudflare, a PATCH changes only the fields it carries, a created
// record is not proxied unless it says so, and a proxied record reports
// TTL 1 ("automatic").
type Cloudflare struct {
	// URL is the server's base, standing for https://api.cloudflare.com.
	URL   string
	Zone  string // e.g. "example.com"
	Token string

	mu      sync.Mutex
	recs    []CloudflareRecord
	next    int
	Queries []string // "METHOD path", in order
}

// StartCloudflare starts the stand-in on 127.0.0.1 for zone (without the
// final dot), accepting token, holding recs (IDs are filled in).
func StartCloudflare(t testing.TB, zone, token string, recs ...CloudflareRecord) *Cloudflare {
	t.Helper()
	cf := &Cloudflare{Zone: zone, Token: token}
	for _, r := range recs {
		cf.add(r)
	}
	srv := httptest.NewServer(http.HandlerFunc(cf.serve))
	t.Cleanup(srv.Close)
	cf.URL = srv.URL
	return cf
}

// Client returns an HTTP client that sends every request, whatever its
// host, to the stand-in: libdns/cloudflare's API address is a constant.
func (cf *Cloudflare) Client() *http.Client {
	u, _ := url.Parse(cf.URL)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", u.Host)
	}}
	return &http.Client{Transport: rewrite{tr}}
}

type rewrite struct{ rt http.RoundTripper }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme = "http" // the dial goes to the stand-in whatever the host
	return r.rt.RoundTrip(req)
}

// Records returns a copy of the records held.
func (cf *Cloudflare) Records() []CloudflareRecord {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return slices.Clone(cf.recs)
}

// Find returns the records of name (fully qualified, no final dot) and typ.
func (cf *Cloudflare) Find(name, typ string) []CloudflareRecord {
	var out []CloudflareRecord
	for _, r := range cf.Records() {
		if strings.EqualFold(r.Name, name) && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (cf *Cloudflare) add(r CloudflareRecord) CloudflareRecord {
	cf.next++
	r.ID = "rec" + strconv.Itoa(cf.next)
	if r.Proxied {
		r.TTL = 1
	}
	cf.recs = append(cf.recs, r)
	return r
}

func (cf *Cloudflare) serve(w http.ResponseWriter, r *http.Request) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	cf.Queries = append(cf.Queries, r.Method+" "+r.URL.Path)
	reply := func(code int, result any, info any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		body := map[string]any{"success": code < 300, "errors": []any{}, "result": result}
		if code >= 300 {
			body["errors"] = []any{map[string]any{"code": code, "message": fmt.Sprint(result)}}
			body["result"] = nil
		}
		if info != nil {
			body["result_info"] = info
		}
		_ = json.NewEncoder(w).Encode(body)
	}
	if r.Header.Get("Authorization") != "Bearer "+cf.Token {
		reply(http.StatusForbidden, "bad token", nil)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/client/v4")
	q := r.URL.Query()
	zonePrefix := "/zones/z1/dns_records"
	switch {
	case r.Method == http.MethodGet && path == "/zones":
		if q.Get("name") != "" && strings.TrimSuffix(q.Get("name"), ".") != cf.Zone {
			reply(http.StatusOK, []any{}, nil)
			return
		}
		reply(http.StatusOK, []any{map[string]string{"id": "z1", "name": cf.Zone}}, nil)
	case r.Method == http.MethodGet && path == zonePrefix:
		var out []CloudflareRecord
		for _, rec := range cf.recs {
			if (q.Get("type") == "" || q.Get("type") == rec.Type) &&
				(q.Get("name") == "" || strings.EqualFold(strings.TrimSuffix(q.Get("name"), "."), rec.Name)) &&
				(q.Get("content.exact") == "" || q.Get("content.exact") == rec.Content) &&
				(q.Get("content.contains") == "" || strings.Contains(rec.Content, q.Get("content.contains"))) {
				out = append(out, rec)
			}
		}
		page, _ := strconv.Atoi(q.Get("page"))
		per, _ := strconv.Atoi(q.Get("per_page"))
		if page < 1 {
			page = 1
		}
		if per < 1 {
			per = 100
		}
		total := len(out)
		lo, hi := min((page-1)*per, total), min(page*per, total)
		reply(http.StatusOK, out[lo:hi], map[string]int{"page": page, "per_page": per, "count": hi - lo,
			"total_count": total, "total_pages": (total + per - 1) / per})
	case r.Method == http.MethodPost && path == zonePrefix:
		var rec CloudflareRecord
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil || rec.Type == "" || rec.Name == "" {
			reply(http.StatusBadRequest, "bad record", nil)
			return
		}
		rec.Name = cf.absolute(rec.Name)
		reply(http.StatusOK, cf.add(rec), nil)
	case (r.Method == http.MethodPatch || r.Method == http.MethodDelete) && strings.HasPrefix(path, zonePrefix+"/"):
		id := strings.TrimPrefix(path, zonePrefix+"/")
		i := slices.IndexFunc(cf.recs, func(rec CloudflareRecord) bool { return rec.ID == id })
		if i < 0 {
			reply(http.StatusNotFound, "no such record", nil)
			return
		}
		if r.Method == http.MethodDelete {
			gone := cf.recs[i]
			cf.recs = slices.Delete(cf.recs, i, i+1)
			reply(http.StatusOK, map[string]string{"id": gone.ID}, nil)
			return
		}
		var fields map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
			reply(http.StatusBadRequest, "bad body", nil)
			return
		}
		rec := &cf.recs[i]
		for k, v := range fields {
			var err error
			switch k {
			case "content":
				err = json.Unmarshal(v, &rec.Content)
			case "ttl":
				err = json.Unmarshal(v, &rec.TTL)
			case "proxied":
				err = json.Unmarshal(v, &rec.Proxied)
			case "name":
				var n string
				err = json.Unmarshal(v, &n)
				rec.Name = cf.absolute(n)
			case "type":
				err = json.Unmarshal(v, &rec.Type)
			}
			if err != nil {
				reply(http.StatusBadRequest, "bad "+k, nil)
				return
			}
		}
		if rec.Proxied {
			rec.TTL = 1
		}
		reply(http.StatusOK, *rec, nil)
	default:
		reply(http.StatusNotFound, "no route "+r.Method+" "+path, nil)
	}
}

// absolute makes a record name as Cloudflare stores it: relative names
// (libdns/cloudflare sends them so) become fully qualified.
func (cf *Cloudflare) absolute(name string) string {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	switch {
	case name == "@" || name == "" || name == cf.Zone:
		return cf.Zone
	case strings.HasSuffix(name, "."+cf.Zone):
		return name
	}
	return name + "." + cf.Zone
}
