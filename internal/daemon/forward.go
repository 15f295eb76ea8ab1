package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/cluster"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// forwardedHeader marks a request one node forwarded to the leader; the
// receiver never forwards it again, so a leadership that moves meanwhile
// cannot bounce a request between nodes.
const forwardedHeader = "Lifeboat-Forwarded-By"

// forwardClient carries forwarded operations; no overall timeout, since a
// failover takes minutes, but the caller's context bounds it. It never
// follows a redirect: the operate token goes to the advertised API and
// nowhere else, and a redirect is an error.
var forwardClient = &http.Client{
	Transport:     &http.Transport{IdleConnTimeout: time.Minute, TLSHandshakeTimeout: 10 * time.Second},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// leaderAPI finds the leader's advertised API, or says why there is none.
func (d *Daemon) leaderAPI(ctx context.Context, what string) (cluster.Peer, error) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p, ok, err := d.nodes.m.Leader(rctx)
	switch {
	case err != nil || !ok:
		return cluster.Peer{}, d.notLeading(rctx, what)
	case p.Node == d.nodes.node:
		return cluster.Peer{}, fmt.Errorf("%w: %s: this node's leadership is ending; try again in a few seconds", errNotLeading, what)
	case p.Advertise == "":
		return cluster.Peer{}, fmt.Errorf("%w: %s: node %s leads but advertises no API (server.advertise), so it cannot be forwarded; run the command on %s", errNotLeading, what, p.Node, p.Node)
	}
	return p, nil
}

// forward sends one POST to the leader's API with this node's operate
// token and decodes the answer into out. The leader's refusal keeps its
// meaning: a 400 is ErrInvalidRequest, a 409 ErrBlocked.
func (d *Daemon) forward(ctx context.Context, what, path string, body, out any, progress func(wire.Event)) error {
	p, err := d.leaderAPI(ctx, what)
	if err != nil {
		return err
	}
	token := ""
	if s := d.operator().Config().Server; s != nil {
		token = s.OperateToken
	}
	if token == "" {
		return fmt.Errorf("%w: %s: node %s leads, and this node has no server.operate_token to forward it with; run the command on %s", errNotLeading, what, p.Node, p.Node)
	}
	target, err := url.JoinPath(p.Advertise, path)
	if err != nil {
		return fmt.Errorf("node %s advertises %q, not a URL: %w", p.Node, p.Advertise, err)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if progress != nil {
		progress(wire.Event{Time: time.Now(), Phase: "info", Message: fmt.Sprintf("this node does not lead: %s is forwarded to the leader, node %s (%s)", what, p.Node, p.Advertise)})
	}
	d.log.Info("forwarding to the leader", "what", what, "leader", p.Node, "api", p.Advertise)
	resp, raw, err := postForward(ctx, target, token, d.nodes.node, data)
	if err != nil {
		return fmt.Errorf("forward %s to the leader, node %s: %w", what, p.Node, err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("forward %s to node %s: the answer does not decode: %w", what, p.Node, err)
		}
		return nil
	}
	var failed struct {
		Error  string          `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(raw, &failed) != nil || failed.Error == "" {
		failed.Error = strings.TrimSpace(string(raw))
	}
	if len(failed.Result) > 0 {
		_ = json.Unmarshal(failed.Result, out)
	}
	msg := fmt.Sprintf("node %s (the leader) answered %s: %s", p.Node, resp.Status, failed.Error)
	switch resp.StatusCode {
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %s", engine.ErrInvalidRequest, msg)
	case http.StatusConflict:
		return fmt.Errorf("%w: %s", engine.ErrBlocked, msg)
	}
	return fmt.Errorf("%s", msg)
}

// errRedirect is a leader's API answering with a redirect, which a
// forwarded operation does not follow: the token would go elsewhere.
var errRedirect = errors.New("forwarded operations do not follow redirects")

// postForward POSTs one forwarded operation with the operate token as
// Bearer, and reads the answer (up to 16 MiB).
func postForward(ctx context.Context, target, token, node string, data []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(forwardedHeader, node)
	resp, err := forwardClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, nil, fmt.Errorf("%w: %s answered %s to %q; make server.advertise the API's own URL", errRedirect, target, resp.Status, resp.Header.Get("Location"))
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp, raw, nil
}

// forwardOperate runs r on the leader. An operator who asked to confirm
// sees this node's plan first (the leader plans again with its view).
func (d *Daemon) forwardOperate(ctx context.Context, r wire.Request, hooks engine.Hooks) (wire.Outcome, error) {
	what := string(r.Kind)
	if hooks.Confirm != nil {
		eng, _ := d.current()
		out, err := eng.Plan(ctx, r, engine.Hooks{Progress: hooks.Progress, Snapshot: d.view})
		if err != nil || out.Settled {
			return out, err
		}
		if err := hooks.Confirm(ctx, out.Plan); err != nil {
			return out, err
		}
	}
	path := "/api/v1/failover"
	body := map[string]string{"service": r.Service, "from": r.From, "to": r.To}
	if r.Kind == planner.KindFailback {
		path, body = "/api/v1/failback", map[string]string{"service": r.Service}
	}
	var out wire.Outcome
	err := d.forward(ctx, what, path, body, &out, hooks.Progress)
	return out, err
}

// forwardGate refuses, once the API has checked its operate token, an
// operation another node forwarded when this node no longer leads: it is
// answered here only by the leader, never forwarded again.
func (d *Daemon) forwardGate(r *http.Request) error {
	if from := r.Header.Get(forwardedHeader); from != "" && d.nodes != nil {
		if _, ok := d.nodes.m.Leading(); !ok {
			return fmt.Errorf("node %s does not lead any more; try again", d.nodes.node)
		}
	}
	return nil
}
