package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/cluster"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// fakeMember is a membership with a fixed leader.
type fakeMember struct {
	leader    cluster.Peer
	hasLeader bool
	leaderErr error
	leading   bool
	published chan cluster.View // when set, each published view
}

func (f *fakeMember) Run(context.Context)      {}
func (f *fakeMember) Changed() <-chan struct{} { return nil }
func (f *fakeMember) State() cluster.State     { return cluster.State{Connected: true, Leading: f.leading} }
func (f *fakeMember) Publish(_ context.Context, v cluster.View) error {
	if f.published != nil {
		f.published <- v
	}
	return nil
}
func (f *fakeMember) Views(context.Context) ([]cluster.View, error) { return nil, nil }
func (f *fakeMember) Leader(context.Context) (cluster.Peer, bool, error) {
	return f.leader, f.hasLeader, f.leaderErr
}

func (f *fakeMember) Leading() (context.Context, bool) {
	if !f.leading {
		return nil, false
	}
	return context.Background(), true
}

// follower is a daemon on node n2 whose membership is m and whose
// configuration has token as server.operate_token.
func follower(m member, token string) *Daemon {
	cfg := &config.Config{}
	if token != "" {
		cfg.Server = &config.Server{Listen: "127.0.0.1:0", OperateToken: token}
	}
	return &Daemon{log: slog.New(slog.DiscardHandler), eng: engine.New(cfg, nil), nodes: &nodes{m: m, node: "n2"}}
}

// api is a node's HTTP API that counts what reaches it and answers with
// answer (status, body).
type api struct {
	*httptest.Server
	hits atomic.Int32
	auth atomic.Value // the last Authorization header
	path atomic.Value
	by   atomic.Value
	body atomic.Value
}

func newAPI(t *testing.T, status int, body string) *api {
	a := &api{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.hits.Add(1)
		raw, _ := io.ReadAll(r.Body)
		a.auth.Store(r.Header.Get("Authorization"))
		a.path.Store(r.URL.Path)
		a.by.Store(r.Header.Get(forwardedHeader))
		a.body.Store(string(raw))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(a.Close)
	return a
}

// A follower forwards an operation to the leader's advertised API, with
// its operate token, and only there; the leader's refusals keep their
// meaning, and without a leader, an advertised API or a token nothing is
// sent.
func TestForward(t *testing.T) {
	const token = "forward-operate-token-0123456789"
	for _, tc := range []struct {
		name string
		// member gets the leader's URL (or "" for none) and returns the
		// membership.
		member  func(leaderURL string) *fakeMember
		token   string
		status  int
		answer  string
		wantErr error  // nil: the answer decodes
		wantIn  string // in the error
		sent    bool   // the leader's API was asked
	}{
		{name: "leader found", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n1", Advertise: u}, hasLeader: true}
		},
			token: token, status: http.StatusOK, answer: `{"on":true,"reason":"maintenance","by":"n1"}`, sent: true},
		{name: "blocked on the leader", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n1", Advertise: u}, hasLeader: true}
		},
			token: token, status: http.StatusConflict, answer: `{"error":"held back: cooldown"}`, wantErr: engine.ErrBlocked, wantIn: "held back: cooldown", sent: true},
		{name: "refused as invalid", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n1", Advertise: u}, hasLeader: true}
		},
			token: token, status: http.StatusBadRequest, answer: `{"error":"no such service"}`, wantErr: engine.ErrInvalidRequest, wantIn: "no such service", sent: true},
		{name: "redirect refused", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n1", Advertise: u}, hasLeader: true}
		},
			token: token, status: http.StatusTemporaryRedirect, answer: `{}`, wantErr: errRedirect, sent: true},
		{name: "no advertised API", member: func(string) *fakeMember { return &fakeMember{leader: cluster.Peer{Node: "n1"}, hasLeader: true} },
			token: token, wantErr: errNotLeading, wantIn: "advertises no API"},
		{name: "no leader", member: func(string) *fakeMember { return &fakeMember{} },
			token: token, wantErr: errNotLeading, wantIn: "no node leads"},
		{name: "etcd unreachable", member: func(string) *fakeMember { return &fakeMember{leaderErr: errors.New("etcd gone")} },
			token: token, wantErr: errNotLeading, wantIn: "etcd gone"},
		{name: "leadership ending here", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n2", Advertise: u}, hasLeader: true}
		},
			token: token, wantErr: errNotLeading, wantIn: "leadership is ending"},
		{name: "no operate token here", member: func(u string) *fakeMember {
			return &fakeMember{leader: cluster.Peer{Node: "n1", Advertise: u}, hasLeader: true}
		},
			wantErr: errNotLeading, wantIn: "no server.operate_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leader := newAPI(t, tc.status, tc.answer)
			if tc.status == http.StatusTemporaryRedirect {
				leader.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					leader.hits.Add(1)
					http.Redirect(w, r, "http://127.0.0.1:1/api/v1/hold", http.StatusTemporaryRedirect)
				})
			}
			d := follower(tc.member(leader.URL), tc.token)
			var h control.HoldState
			err := d.forward(t.Context(), "the hold switch", "/api/v1/hold", control.HoldChange{On: true, Reason: "maintenance"}, &h, nil)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !h.On || h.Reason != "maintenance" || h.By != "n1" {
					t.Fatalf("the leader's answer was not decoded: %+v", h)
				}
			} else if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantIn) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.wantErr, tc.wantIn)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Fatalf("the token is in the error: %v", err)
			}
			if got := leader.hits.Load() > 0; got != tc.sent {
				t.Fatalf("the leader's API asked: %v, want %v", got, tc.sent)
			}
			if !tc.sent || tc.status == http.StatusTemporaryRedirect {
				return
			}
			if leader.auth.Load() != "Bearer "+token || leader.path.Load() != "/api/v1/hold" || leader.by.Load() != "n2" {
				t.Fatalf("the forward is not what the API takes: auth %q path %q by %q", leader.auth.Load(), leader.path.Load(), leader.by.Load())
			}
			var sent control.HoldChange
			if err := json.Unmarshal([]byte(leader.body.Load().(string)), &sent); err != nil || !sent.On || sent.Reason != "maintenance" {
				t.Fatalf("the leader got %q (%v)", leader.body.Load(), err)
			}
		})
	}
}

// A request another node forwarded is answered only by the leader: a node
// that no longer leads refuses it rather than forwarding it again; a
// request a person sent is not gated here.
func TestForwardGate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		leading   bool
		forwarded bool
		refused   bool
	}{
		{"forwarded to the leader", true, true, false},
		{"forwarded to a node that no longer leads", false, true, true},
		{"a person's request to a follower", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := follower(&fakeMember{leading: tc.leading}, "")
			r := httptest.NewRequest(http.MethodPost, "/api/v1/failover", nil)
			if tc.forwarded {
				r.Header.Set(forwardedHeader, "n1")
			}
			if err := d.forwardGate(r); (err != nil) != tc.refused {
				t.Fatalf("forwardGate = %v, want refused %v", err, tc.refused)
			}
		})
	}
}
