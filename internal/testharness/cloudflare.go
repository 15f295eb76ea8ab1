package testharness

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

// CloudflareHost is the API's host name, which the HTTPS front answers for.
const CloudflareHost = "api.cloudflare.com"

// Env serves the stand-in over HTTPS as api.cloudflare.com, for a lifeboat
// subprocess, and returns the environment that sends it there unchanged:
// HTTPS_PROXY names a loopback proxy that tunnels CONNECT
// api.cloudflare.com:443 (and nothing else) to the stand-in, and
// SSL_CERT_FILE a certificate made for api.cloudflare.com now. Go's
// default client honours both, as libdns/cloudflare's does.
func (cf *Cloudflare) Env(t testing.TB) []string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: CloudflareHost},
		DNSNames: []string{CloudflareHost}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "cloudflare-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(cf.serve))
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	backend := tlsSrv.Listener.Addr().String()

	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Host != CloudflareHost+":443" {
			http.Error(w, "this proxy only reaches "+CloudflareHost, http.StatusForbidden)
			return
		}
		up, err := net.DialTimeout("tcp", backend, 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			up.Close()
			http.Error(w, "no hijack", http.StatusInternalServerError)
			return
		}
		down, buf, err := hj.Hijack()
		if err != nil {
			up.Close()
			return
		}
		if _, err := down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
			up.Close()
			down.Close()
			return
		}
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(up, buf); done <- struct{}{} }()
		go func() { _, _ = io.Copy(down, up); done <- struct{}{} }()
		<-done // either side closing ends the tunnel
		up.Close()
		down.Close()
		<-done
	}))
	t.Cleanup(proxy.Close)
	return []string{"HTTPS_PROXY=" + proxy.URL, "https_proxy=" + proxy.URL, "SSL_CERT_FILE=" + caFile}
}
