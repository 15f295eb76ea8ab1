package config

// references converts policy's reference blocks: checks of targets
// outside every provider, so each must name its own target.
func (c *checker) references(policy *blk, rs []*rawCheck) []*Check {
	names := c.uniqueNames(policy.where("reference"))
	var out []*Check
	for _, r := range rs {
		ch, b := c.checkBlock(policy, r, "reference")
		switch {
		case ch.HTTP != nil && ch.HTTP.URL == "":
			b.blockErrf("http needs url: a reference check probes a target outside every provider, not a path on the providers' addresses")
		case ch.TCP != nil && ch.TCP.Address == "":
			b.blockErrf("tcp needs address: a reference check probes a target outside every provider")
		case ch.DNS != nil && ch.DNS.Server == "":
			b.blockErrf("dns needs server: a reference check probes a target outside every provider")
		case ch.ProviderAPI != nil:
			b.blockErrf("provider_api is not a reference check: it asks a provider; use http, tcp, dns or exec")
		}
		if names.add(r.Name, r.NameRange) {
			out = append(out, ch)
		}
	}
	return out
}
