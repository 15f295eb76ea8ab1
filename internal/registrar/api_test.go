package registrar_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/registrar"
)

// received is one request an API test server got.
type received struct {
	method, path, auth, contentType string
	raw                             string // the body as sent
	body                            map[string]any
}

// apiServer answers as answer says and records every request.
type apiServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newAPIServer(t *testing.T, answer func(r received) (int, string)) *apiServer {
	t.Helper()
	s := &apiServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		data, _ := io.ReadAll(req.Body)
		r := received{method: req.Method, path: req.URL.Path, auth: req.Header.Get("Authorization"),
			contentType: req.Header.Get("Content-Type"), raw: string(data)}
		if len(data) > 0 {
			if err := json.Unmarshal(data, &r.body); err != nil {
				t.Errorf("%s %s: the body is not JSON: %s", req.Method, req.URL.Path, data)
			}
		}
		s.mu.Lock()
		s.got = append(s.got, r)
		s.mu.Unlock()
		code, body := answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *apiServer) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

const (
	apiKey    = "pk1_recognisable_api_key_0123"
	secretKey = "sk1_recognisable_secret_key_4567"
	token     = "pat_recognisable_token_89ab"
)

func TestPorkbun(t *testing.T) {
	var current = []string{"curitiba.ns.porkbun.com", "fortaleza.ns.porkbun.com"}
	srv := newAPIServer(t, func(r received) (int, string) {
		if r.body["apikey"] != apiKey || r.body["secretapikey"] != secretKey {
			return 400, `{"status":"ERROR","message":"Invalid API key. (002)"}`
		}
		switch r.path {
		case "/domain/getNs/example.com":
			b, _ := json.Marshal(map[string]any{"status": "SUCCESS", "ns": current})
			return 200, string(b)
		case "/domain/updateNs/example.com":
			current = nil
			for _, n := range r.body["ns"].([]any) {
				current = append(current, n.(string))
			}
			return 200, `{"status":"SUCCESS"}`
		}
		return 404, `{"status":"ERROR","message":"no such endpoint"}`
	})
	r, err := registrar.New("porkbun", map[string]string{"api_key": apiKey, "secret_api_key": secretKey, "endpoint": srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := r.Nameservers(ctx, "Example.com.")
	if err != nil || !slices.Equal(got, []string{"curitiba.ns.porkbun.com.", "fortaleza.ns.porkbun.com."}) {
		t.Fatalf("nameservers %v, %v", got, err)
	}
	if err := r.SetNameservers(ctx, "example.com.", []string{"ns2.desec.org.", "NS1.desec.io"}, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	wantBodies := []string{
		`{"apikey":"` + apiKey + `","secretapikey":"` + secretKey + `"}`,
		`{"apikey":"` + apiKey + `","ns":["ns1.desec.io","ns2.desec.org"],"secretapikey":"` + secretKey + `"}`,
	}
	for i, want := range []string{"/domain/getNs/example.com", "/domain/updateNs/example.com"} {
		got := reqs[i]
		if got.method != http.MethodPost || got.path != want || got.contentType != "application/json" {
			t.Errorf("request %d: %s %s (%s), want POST %s (application/json)", i, got.method, got.path, got.contentType, want)
		}
		if got.auth != "" {
			t.Errorf("request %d sends an Authorization header: porkbun takes the keys in the body", i)
		}
		if b, _ := json.Marshal(got.body); string(b) != wantBodies[i] {
			t.Errorf("request %d body %s, want %s (names without trailing dots, sorted)", i, b, wantBodies[i])
		}
	}
	if got, _ := r.Nameservers(ctx, "example.com."); !slices.Equal(got, []string{"ns1.desec.io.", "ns2.desec.org."}) {
		t.Errorf("nameservers after the update: %v", got)
	}

	// An error answer is reported with the API's message, never the keys.
	bad, _ := registrar.New("porkbun", map[string]string{"api_key": apiKey, "secret_api_key": "sk1_wrong_secret_key_value", "endpoint": srv.URL})
	err = bad.SetNameservers(ctx, "example.com.", []string{"ns1.desec.io."}, nil)
	if err == nil || !strings.Contains(err.Error(), "Invalid API key. (002)") {
		t.Fatalf("err %v", err)
	}
	for _, secret := range []string{apiKey, secretKey, "sk1_wrong_secret_key_value"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("the error quotes a key: %v", err)
		}
	}
}

// Porkbun answers some failures with 200 and status ERROR.
func TestPorkbunStatusError(t *testing.T) {
	srv := newAPIServer(t, func(received) (int, string) {
		return 200, `{"status":"ERROR","message":"Domain is not opted in to API access."}`
	})
	r, _ := registrar.New("porkbun", map[string]string{"api_key": apiKey, "secret_api_key": secretKey, "endpoint": srv.URL})
	if _, err := r.Nameservers(context.Background(), "example.com."); err == nil || !strings.Contains(err.Error(), "not opted in") {
		t.Fatalf("err %v", err)
	}
}

func TestGandi(t *testing.T) {
	current := []string{"ns-1-a.gandi.net", "ns-2-b.gandi.net"}
	srv := newAPIServer(t, func(r received) (int, string) {
		if r.auth != "Bearer "+token {
			return 403, `{"code":403,"message":"Access was denied to this resource.","object":"HTTPForbidden","cause":"Forbidden"}`
		}
		if r.path != "/domain/domains/example.com/nameservers" {
			return 404, `{"message":"not found"}`
		}
		switch r.method {
		case http.MethodGet:
			b, _ := json.Marshal(current)
			return 200, string(b)
		case http.MethodPut:
			current = nil
			for _, n := range r.body["nameservers"].([]any) {
				current = append(current, n.(string))
			}
			if len(current) == 0 {
				return 400, `{"status":"error","errors":[{"location":"body","name":"nameservers","description":"at least one nameserver"}]}`
			}
			return 202, `{"message":"Nameservers updated"}`
		}
		return 405, `{"message":"method"}`
	})
	r, err := registrar.New("gandi", map[string]string{"bearer_token": token, "endpoint": srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := r.Nameservers(ctx, "example.com"); err != nil || !slices.Equal(got, []string{"ns-1-a.gandi.net.", "ns-2-b.gandi.net."}) {
		t.Fatalf("nameservers %v, %v", got, err)
	}
	if err := r.SetNameservers(ctx, "example.com.", []string{"ns1.desec.io.", "ns2.desec.org."}, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if get := reqs[0]; get.method != http.MethodGet || get.raw != "" {
		t.Errorf("read sent as %s with body %q, want GET without a body", get.method, get.raw)
	}
	put := reqs[1]
	if put.method != http.MethodPut || put.path != "/domain/domains/example.com/nameservers" || put.contentType != "application/json" {
		t.Errorf("update sent as %s %s (%s)", put.method, put.path, put.contentType)
	}
	if put.raw != `{"nameservers":["ns1.desec.io","ns2.desec.org"]}` {
		t.Errorf("update body %s, want the names without trailing dots, sorted, and nothing else", put.raw)
	}
	if got, _ := r.Nameservers(ctx, "example.com."); !slices.Equal(got, []string{"ns1.desec.io.", "ns2.desec.org."}) {
		t.Errorf("nameservers after the update: %v", got)
	}
	err = r.SetNameservers(ctx, "example.com.", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "at least one nameserver") {
		t.Errorf("an API error with details: %v", err)
	}
	bad, _ := registrar.New("gandi", map[string]string{"bearer_token": "pat_wrong_token_value", "endpoint": srv.URL})
	_, err = bad.Nameservers(ctx, "example.com.")
	if err == nil || !strings.Contains(err.Error(), "403: Access was denied") || strings.Contains(err.Error(), "pat_wrong_token_value") {
		t.Fatalf("err %v", err)
	}
}

func TestSettings(t *testing.T) {
	cases := []struct {
		typ      string
		settings map[string]string
		want     string
		unknown  bool
	}{
		{typ: "namecheap", want: `unknown registrar type "namecheap" (known: gandi, porkbun, rfc2136)`, unknown: true},
		{typ: "rfc2136", settings: map[string]string{}, want: `missing required setting "server"`},
		{typ: "rfc2136", settings: map[string]string{"server": "ns1"}, want: `setting "server" must be host:port`},
		{typ: "rfc2136", settings: map[string]string{"server": "127.0.0.1:53", "key": "c2VjcmV0"}, want: `"key_name", "key_alg" and "key" go together`},
		{typ: "rfc2136", settings: map[string]string{"server": "127.0.0.1:53", "key_name": "k", "key_alg": "md5", "key": "not base64!"},
			want: `setting "key_alg" must be one of`},
		{typ: "rfc2136", settings: map[string]string{"server": "127.0.0.1:53", "zone": "x"}, want: `unknown setting "zone" (valid: server, key_name, key_alg, key, parent)`},
		{typ: "porkbun", settings: map[string]string{"api_key": "a"}, want: `missing required setting "secret_api_key"`},
		{typ: "porkbun", settings: map[string]string{"api_key": "a", "secret_api_key": "b", "endpoint": "http://api.example.com"},
			want: `setting "endpoint" must be https (plain http only on a loopback address)`},
		{typ: "gandi", settings: map[string]string{"bearer_token": "t", "endpoint": "ftp://x"}, want: `setting "endpoint" must be an http(s) URL`},
		{typ: "gandi", settings: map[string]string{"bearer_token": "t"}},
		{typ: "rfc2136", settings: map[string]string{"server": "127.0.0.1:53", "key_name": "k", "key_alg": "HMAC-SHA256.", "key": "c2VjcmV0", "parent": "test."}},
	}
	for _, tc := range cases {
		err := registrar.Check(tc.typ, tc.settings)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: %v", tc.typ, tc.settings, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %v: err %v, want %q", tc.typ, tc.settings, err, tc.want)
		case tc.want != "" && errors.Is(err, config.ErrUnknownRegistrarType) != tc.unknown:
			t.Errorf("%s: err %v: unknown type sentinel %v, want %v", tc.typ, err, !tc.unknown, tc.unknown)
		case tc.want != "" && !tc.unknown && !errors.Is(err, registrar.ErrInvalidSettings):
			t.Errorf("%s: err %v does not wrap ErrInvalidSettings", tc.typ, err)
		}
		if err != nil {
			for _, v := range tc.settings {
				if len(v) > 3 && strings.Contains(err.Error(), v) && v != "127.0.0.1:53" {
					t.Errorf("the error quotes a value: %v", err)
				}
			}
		}
	}
}

// An API that echoes the refused request (credentials included) in its
// error message: the error quotes the message without them.
func TestAPIErrorsDropEchoedCredentials(t *testing.T) {
	srv := newAPIServer(t, func(r received) (int, string) {
		b, _ := json.Marshal(map[string]any{"status": "ERROR", "message": "bad request " + r.raw + " auth " + r.auth})
		return 400, string(b)
	})
	long := strings.Repeat("x", 190) + token // a token cut by clipping would leak a prefix
	for _, tc := range []struct {
		typ      string
		settings map[string]string
	}{
		{"porkbun", map[string]string{"api_key": apiKey, "secret_api_key": secretKey, "endpoint": srv.URL}},
		{"gandi", map[string]string{"bearer_token": token, "endpoint": srv.URL}},
		{"gandi", map[string]string{"bearer_token": long, "endpoint": srv.URL}},
	} {
		r, err := registrar.New(tc.typ, tc.settings)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []func() error{
			func() error { _, err := r.Nameservers(context.Background(), "example.com."); return err },
			func() error {
				return r.SetNameservers(context.Background(), "example.com.", []string{"ns1.desec.io."}, nil)
			},
		} {
			err := call()
			if err == nil || !strings.Contains(err.Error(), "bad request") {
				t.Fatalf("%s: err %v, want the API's message", tc.typ, err)
			}
			for _, secret := range []string{apiKey, secretKey, token, long[:150]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s: the error quotes a credential: %v", tc.typ, err)
				}
			}
		}
	}
}

// A hanging API returns at the caller's deadline, and at once when the
// caller cancels (no deadline), reading and writing.
func TestAPIHonoursTheContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ends := map[string]struct {
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		"deadline": {func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, context.DeadlineExceeded},
		"cancel": {func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, typ := range []string{"porkbun", "gandi"} {
		s := map[string]string{"api_key": apiKey, "secret_api_key": secretKey, "endpoint": srv.URL}
		if typ == "gandi" {
			s = map[string]string{"bearer_token": token, "endpoint": srv.URL}
		}
		r, err := registrar.New(typ, s)
		if err != nil {
			t.Fatal(err)
		}
		for name, end := range ends {
			for call, do := range map[string]func(context.Context) error{
				"read": func(ctx context.Context) error { _, err := r.Nameservers(ctx, "example.com."); return err },
				"write": func(ctx context.Context) error {
					return r.SetNameservers(ctx, "example.com.", []string{"ns1.desec.io."}, nil)
				},
			} {
				ctx, cancel := end.ctx()
				start := time.Now()
				err := do(ctx)
				cancel()
				if !errors.Is(err, end.want) || time.Since(start) > 3*time.Second {
					t.Errorf("%s %s, %s: err %v after %s", typ, call, name, err, time.Since(start))
				}
			}
		}
	}
}

// An answer larger than the read bound is an error, not read whole.
func TestAPIBoundsTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["ns1.example.net"`)
		chunk := strings.Repeat(`,"ns1.example.net"`, 1<<10)
		for range 128 { // 2 MiB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `]`)
	}))
	defer srv.Close()
	r, err := registrar.New("gandi", map[string]string{"bearer_token": token, "endpoint": srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Nameservers(context.Background(), "example.com."); err == nil {
		t.Fatalf("an answer past the bound was read whole: %d names", len(got))
	}
}
