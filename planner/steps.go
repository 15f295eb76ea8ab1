package planner

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// chooseDNS judges the DNS providers of s and returns the verdict, whose use
// lists the names the cutover uses, sorted. A down or account_lost DNS
// provider, or one at a lost vendor, is left out with a warning.
func (p *planner) chooseDNS(s *config.Service, sp *ServicePlan) *dnsSet {
	var set *dnsSet
	if len(s.DNS) > 0 {
		names := slices.Clone(s.DNS)
		slices.Sort(names)
		set = p.judgeDNSSet(slices.Compact(names))
	} else {
		// Most services use every dns block: judge that set once, and let
		// their plans share it.
		if p.defaultDNS == nil {
			p.defaultDNS = p.judgeDNSSet(p.dnsNames)
		}
		set = p.defaultDNS
	}
	sp.DNS = set.choices
	sp.Warnings = append(sp.Warnings, set.warnings...)
	return set
}

// dnsSet is the verdict on a list of DNS providers: the names used, every
// choice and the warnings, in name order.
type dnsSet struct {
	use      []string
	joined   string // use, comma separated, for the reasons
	choices  []DNSChoice
	warnings []string
}

func (p *planner) judgeDNSSet(names []string) *dnsSet {
	set := &dnsSet{use: make([]string, 0, len(names)), choices: make([]DNSChoice, 0, len(names))}
	for _, name := range names {
		j := p.judgeDNS(name)
		if j.choice.Use {
			set.use = append(set.use, name)
		}
		if j.warning != "" {
			set.warnings = append(set.warnings, j.warning)
		}
		set.choices = append(set.choices, j.choice)
	}
	// Shared by several plans: an append must not write into another's.
	set.use = slices.Clip(set.use)
	set.choices = slices.Clip(set.choices)
	set.joined = strings.Join(set.use, ", ")
	return set
}

type dnsJudgement struct {
	choice  DNSChoice
	warning string
}

// judgeDNS judges one DNS provider. The verdict does not depend on the
// service, so it is worked out once per plan.
func (p *planner) judgeDNS(name string) dnsJudgement {
	if j, ok := p.dnsJudged[name]; ok {
		return j
	}
	o := p.observeDNS(name)
	ch := DNSChoice{Name: name, State: o.State}
	d := p.dns[name]
	if d != nil {
		ch.Vendor = d.VendorName()
	}
	loss, sharesVendor := p.lostVendor[ch.Vendor]
	var warning string
	switch {
	case d == nil:
		ch.Reason = "not a dns block in the configuration"
	case sharesVendor:
		ch.LostVendor = true
		ch.Reason = loss.reason + "; its records may be gone or in that vendor's hands, so it is not written"
	case o.State == StateDown:
		ch.Reason = stateReason(o)
	case o.State == StateAccountLost:
		ch.Reason = "account lost" + strings.TrimPrefix(stateReason(o), string(StateAccountLost))
	case o.State == StateDegraded:
		ch.Use, ch.Reason = true, stateReason(o)
		warning = "dns " + name + " is " + stateReason(o) + "; verify-dns will tell whether the update took"
	case o.State == StateUnknown:
		ch.Use, ch.Reason = true, "health unknown; verify-dns will tell whether the update took"
	default:
		ch.Use, ch.Reason = true, "healthy"
	}
	if !ch.Use {
		warning = "dns " + name + " left out of the cutover: " + ch.Reason
	}
	j := dnsJudgement{choice: ch, warning: warning}
	p.dnsJudged[name] = j
	return j
}

// addSteps writes the ordered steps that move s to sp.To, or blocks the
// service when the move cannot be carried out.
func (p *planner) addSteps(s *config.Service, sp *ServicePlan) {
	sp.Action = ActionMove
	if len(s.Checks) == 0 {
		// wait-healthy needs evidence before DNS moves: without a check the
		// move could only fail, after bringing the target up.
		sp.Action = ActionBlocked
		sp.Reason += "; but " + s.Name + " has no check block, and lifeboat never points DNS at a target it cannot check"
		return
	}
	set := p.chooseDNS(s, sp)
	dns := set.use
	if len(dns) == 0 {
		sp.Action = ActionBlocked
		if len(sp.DNS) == 0 {
			sp.Reason += "; but the DNS cutover is impossible: no dns block is configured for " + s.Name
		} else {
			sp.Reason += "; but the DNS cutover is impossible: every DNS provider of " + s.Name + " was left out"
		}
		return
	}
	target := p.providers[sp.To]
	ws := target.Terraform
	if ws == nil && len(target.Addresses) == 0 {
		sp.Action = ActionBlocked
		sp.Reason += "; but " + sp.To + " has neither a terraform workspace nor addresses to point DNS at"
		return
	}
	ids := stepIDs(s.Name, sp.To)
	id := func(k StepKind) string { return ids[slices.Index(stepKinds[:], k)] }
	ttl := s.TTL
	if ttl <= 0 {
		ttl = defaultTTL
	}
	records := slices.Clone(s.Records)
	data := p.dataSteps(s, sp)
	steps := p.steps.take(len(stepKinds) + len(data))
	var addresses []string
	if ws != nil {
		w, prepareWhy := p.workspace(p.info(sp.To))
		output := s.AddressOutput
		if output == "" {
			output = defaultAddressOutput
		}
		outputWhy, ok := p.outputWhy[output]
		if !ok {
			outputWhy = "read the new hosts' addresses from output " + strconv.Quote(output)
			p.outputWhy[output] = outputWhy
		}
		vars, overridden := mergeVars(ws.Vars, s.Vars)
		secret := p.hideSecrets(vars, ws, s)
		steps = append(steps,
			Step{ID: id(StepPrepare), Kind: StepPrepare, Service: s.Name, Provider: sp.To, Workspace: w, Reason: prepareWhy},
			Step{ID: id(StepApply), Kind: StepApply, Service: s.Name, Provider: sp.To, Workspace: w, Vars: vars, SecretVars: secret,
				Reason: applyReason(s.Name, target, len(vars), overridden)},
			Step{ID: id(StepReadOutputs), Kind: StepReadOutputs, Service: s.Name, Provider: sp.To, Workspace: w, Output: output,
				Reason: outputWhy},
		)
	} else {
		addresses = slices.Clone(target.Addresses)
		sp.Warnings = append(sp.Warnings, sp.To+" has no terraform workspace: nothing is applied, DNS points at its configured addresses")
	}
	// The old primary is fenced and the target's replica promoted once the
	// target's hosts are up, and before wait-healthy: the service there
	// needs a writable database to pass its checks.
	steps = append(steps, data...)
	proxyCut, proxyVerify := p.proxyReasons(dns, records)
	steps = append(steps,
		Step{ID: id(StepWaitHealthy), Kind: StepWaitHealthy, Service: s.Name, Provider: sp.To, Addresses: addresses,
			TimeoutSeconds: seconds(p.cfg.Policy.WaitHealthy),
			Reason:         "never cut DNS to a target that is not healthy: wait until the checks of " + s.Name + " pass against " + sp.To + "'s addresses"},
		Step{ID: id(StepDNSCutover), Kind: StepDNSCutover, Service: s.Name, Provider: sp.To, Addresses: addresses,
			Records: records, TTL: ttl, DNS: dns,
			Reason: "point " + strings.Join(records, ", ") + " at " + sp.To + "'s addresses with TTL " + strconv.Itoa(ttl) + "s at " + set.joined + proxyCut},
		Step{ID: id(StepVerifyDNS), Kind: StepVerifyDNS, Service: s.Name, Provider: sp.To,
			Records: records, DNS: dns, TimeoutSeconds: seconds(p.cfg.Policy.VerifyDNS),
			Reason: "ask each DNS provider's authoritative servers directly until they serve the new answer" + proxyVerify},
		Step{ID: id(StepNotify), Kind: StepNotify, Service: s.Name, Provider: sp.To, Notify: p.notify,
			Reason: p.notifyReason},
	)
	sp.Steps = steps
}

// workspace returns the target's workspace and the reason of its prepare
// step, made once per target and shared by every move to it.
func (p *planner) workspace(pi *provInfo) (*Workspace, string) {
	if pi.workspace == nil {
		ws := pi.pr.Terraform
		w := &Workspace{Dir: ws.Dir, Name: ws.Workspace}
		if w.Name == "" {
			w.Name = defaultWorkspace
		}
		pi.workspace = w
		pi.prepareReason = "initialise workspace " + w.Name + " (" + w.Dir + ") of " + pi.cand.Provider +
			" so apply never waits on a cold init; nothing to do if already prepared"
	}
	return pi.workspace, pi.prepareReason
}

// SecretValue stands in a plan for a variable whose value came from env()
// or file(): plans are printed and journaled, secrets are not. The executor
// takes the real value from the configuration when it applies.
const SecretValue = "(secret)"

// hideSecrets replaces secret values in vars with SecretValue and returns
// their names, sorted. A var is secret when the map that supplied its final
// value marks it (the service's overrides the workspace's): the mark covers
// values built by a template around env() or file() and values too short to
// match safely. A value the configuration knows as secret is hidden too.
func (p *planner) hideSecrets(vars map[string]string, ws *config.Workspace, s *config.Service) []string {
	var names []string
	for k, v := range vars {
		marks := ws.SecretVars
		if _, ok := s.Vars[k]; ok {
			marks = s.SecretVars
		}
		if marks[k] || p.cfg.IsSecret(v) {
			vars[k] = SecretValue
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// mergeVars returns the workspace vars overlaid with the service vars, and
// the sorted names of the workspace vars the service overrode.
func mergeVars(workspace, service map[string]string) (map[string]string, []string) {
	if len(workspace)+len(service) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(workspace)+len(service))
	maps.Copy(out, workspace)
	var overridden []string
	for k, v := range service {
		if _, ok := workspace[k]; ok {
			overridden = append(overridden, k)
		}
		out[k] = v
	}
	slices.Sort(overridden)
	return out, overridden
}

func applyReason(service string, target *config.Provider, nvars int, overridden []string) string {
	var what string
	switch target.Standby {
	case config.StandbyWarm:
		what = "scale up warm standby " + target.Name + " for " + service
	case config.StandbyCold:
		what = "create " + service + "'s infrastructure at cold standby " + target.Name
	default:
		what = "make sure " + service + "'s infrastructure is in place at " + target.Name
	}
	plural, overrides := "s", ""
	if nvars == 1 {
		plural = ""
	}
	if len(overridden) > 0 {
		overrides = "; the service overrides " + strings.Join(overridden, ", ")
	}
	return what + " (" + strconv.Itoa(nvars) + " variable" + plural + ": workspace vars, then service vars" + overrides + ")"
}

func notifyReason(notify []string) string {
	if len(notify) == 0 {
		return "no notify block is configured: the timeline is only journaled"
	}
	return "send the timeline to " + strings.Join(notify, ", ")
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// stepKinds are the kinds every move has, one step each; fence and promote
// come once per data block (DataStepID) between read-outputs and
// wait-healthy.
var stepKinds = [7]StepKind{StepPrepare, StepApply, StepReadOutputs, StepWaitHealthy, StepDNSCutover, StepVerifyDNS, StepNotify}

// StepID is the one name of a step, in plans, progress, the journal and
// history: SERVICE/PROVIDER/KIND ("www/bravo/apply"). The target is part of
// it, so the same step toward another candidate is another step.
func StepID(service, provider string, kind StepKind) string {
	return service + "/" + provider + "/" + string(kind)
}

// stepIDs returns the step IDs of a service moving to provider, as StepID
// builds them, cut from one string: a thousand-service plan then allocates
// one string per service instead of seven.
func stepIDs(service, provider string) (ids [7]string) {
	prefix := len(service) + 1 + len(provider) + 1
	var b strings.Builder
	n := 0
	for _, k := range stepKinds {
		n += prefix + len(k)
	}
	b.Grow(n)
	for _, k := range stepKinds {
		b.WriteString(service)
		b.WriteByte('/')
		b.WriteString(provider)
		b.WriteByte('/')
		b.WriteString(string(k))
	}
	all := b.String()
	at := 0
	for i, k := range stepKinds {
		end := at + prefix + len(k)
		ids[i] = all[at:end]
		at = end
	}
	return ids
}

// proxyReasons says, for each dns block of dns that puts a proxy in front
// of records (Cloudflare), how records are switched (cutover) and verified
// (verify): a proxied record's authoritative answer is the proxy's
// addresses, so it is read back through the API instead. Empty when no
// block has a proxy.
func (p *planner) proxyReasons(dns, records []string) (cutover, verify string) {
	for _, name := range dns {
		d := p.cfg.DNSProvider(name)
		if d == nil || d.Type != config.ProxyType {
			continue
		}
		set := d.ProxiedRecords()
		var on, off, kept []string
		for _, r := range records {
			want, ok := set[strings.ToLower(r)]
			switch {
			case !ok:
				kept = append(kept, r)
			case want:
				on = append(on, r)
			default:
				off = append(off, r)
			}
		}
		var cut, ver []string
		if len(on) > 0 {
			cut = append(cut, strings.Join(on, ", ")+" proxied")
			ver = append(ver, strings.Join(on, ", ")+" verified through the Cloudflare API (proxied: the authoritative answer is Cloudflare's)")
		}
		if len(off) > 0 {
			cut = append(cut, strings.Join(off, ", ")+" not proxied")
			ver = append(ver, strings.Join(off, ", ")+" (not proxied) at its authoritative servers")
		}
		if len(kept) > 0 {
			keeps := " keeps its proxy as it is"
			if len(kept) > 1 {
				keeps = " keep their proxy as it is"
			}
			cut = append(cut, strings.Join(kept, ", ")+keeps)
			ver = append(ver, strings.Join(kept, ", ")+" verified through the Cloudflare API if proxied there (proxied: the authoritative answer is Cloudflare's), else at its authoritative servers")
		}
		cutover += "; at " + name + ": " + strings.Join(cut, ", ")
		verify += "; at " + name + ": " + strings.Join(ver, "; ")
	}
	return cutover, verify
}
