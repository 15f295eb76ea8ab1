// Package zonesync plans how to make a DNS provider hold the same records
// as a zone's source of truth. It is pure: records in, a plan out; the
// caller reads the zones and writes the plan through libdns.
//
// The rules follow the cutover's ownership:
//   - an RRset the source has and the target lacks is created, and the
//     name is marked as the sync's (a "_lifeboat" TXT with owner
//     lifeboat/sync, beside any mark copied from the source);
//   - an RRset both have but that differs is changed when the target's
//     copy is the sync's (or Adopt is set), else refused as not owned;
//   - an RRset only the target has is deleted when it is the sync's, else
//     left alone and reported: someone manages it at that provider;
//   - SOA and the apex NS are each provider's own and never compared.
package zonesync

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// Owner is the owner the sync marks the names it writes with; the DNS
// writer holds the sync's writes to it.
const Owner = dnswriter.SyncOwner

// RRset is the records of one name and type.
type RRset struct {
	Name   string        `json:"name"` // relative, "@" for the apex
	Type   string        `json:"type"`
	TTL    time.Duration `json:"ttl"`
	Values []string      `json:"values"` // sorted
}

func (r RRset) key() string { return r.Name + " " + r.Type }

func (r RRset) String() string {
	return fmt.Sprintf("%s %d %s %s", r.Name, int(r.TTL.Seconds()), r.Type, strings.Join(r.Values, " | "))
}

func (r RRset) equal(o RRset) bool { return r.TTL == o.TTL && slices.Equal(r.Values, o.Values) }

// Change is one RRset written or deleted at the target.
type Change struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// From is the target's RRset before (change, delete); To after
	// (create, change).
	From *RRset `json:"from,omitempty"`
	To   *RRset `json:"to,omitempty"`
}

// Refusal is an RRset left as it is, and why.
type Refusal struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// Plan is what makes one target hold the source's records.
type Plan struct {
	Create []Change  `json:"create"`
	Change []Change  `json:"change"`
	Delete []Change  `json:"delete"`
	Left   []Refusal `json:"left_alone"`
	// Same counts the RRsets already equal.
	Same int `json:"same"`
}

// Empty reports whether the plan writes nothing.
func (p Plan) Empty() bool { return len(p.Create)+len(p.Change)+len(p.Delete) == 0 }

// Options tune Diff.
type Options struct {
	// Adopt lets the sync change RRsets at the target it did not write.
	Adopt bool
}

// Diff plans the changes that make target hold source's RRsets.
//
// The addresses of a name the target marks as a service's (the cutover's
// "lifeboat/SERVICE") are the cutover's: the sync never creates, changes
// or deletes them there, adopt or not. A source that missed a failover
// (it was down) would otherwise put the old addresses back.
func Diff(source, target []libdns.Record, opts Options) Plan {
	src, dst := rrsets(source), rrsets(target)
	owned := ownedNames(dst)
	cutover := serviceNames(dst)
	var p Plan
	leftToCutover := func(r RRset, what string) bool {
		owner, ok := cutover[r.Name]
		if !ok || (r.Type != "A" && r.Type != "AAAA") {
			return false
		}
		p.Left = append(p.Left, Refusal{Name: r.Name, Type: r.Type,
			Reason: fmt.Sprintf("%s; the name is %s's, whose failovers write every DNS provider: left to them", what, owner)})
		return true
	}
	marks := map[string]bool{} // names to mark as the sync's
	for _, k := range sortedKeys(src) {
		s := src[k]
		if isMark(s) {
			continue // marks are compared below, without the sync's own
		}
		d, ok := dst[k]
		switch {
		case !ok && leftToCutover(s, "missing here ("+valuesOf(s)+" at the source)"):
		case ok && !d.equal(s) && leftToCutover(s, fmt.Sprintf("differs from the source (%s there, %s at the source)", valuesOf(d), valuesOf(s))):
		case !ok:
			p.Create = append(p.Create, Change{Name: s.Name, Type: s.Type, To: ptr(s)})
			marks[s.Name] = true
		case d.equal(s):
			p.Same++
		case owned[s.Name] || opts.Adopt:
			p.Change = append(p.Change, Change{Name: s.Name, Type: s.Type, From: ptr(d), To: ptr(s)})
			marks[s.Name] = true
		default:
			p.Left = append(p.Left, Refusal{Name: s.Name, Type: s.Type,
				Reason: fmt.Sprintf("differs from the source (%s there, %s at the source) and the sync did not write it: change it there, or sync with adopt", valuesOf(d), valuesOf(s))})
		}
	}
	for _, k := range sortedKeys(dst) {
		d := dst[k]
		if _, ok := src[k]; ok || isMark(d) {
			continue
		}
		if leftToCutover(d, "only at this provider") {
			continue
		}
		if owned[d.Name] {
			p.Delete = append(p.Delete, Change{Name: d.Name, Type: d.Type, From: ptr(d)})
			continue
		}
		p.Left = append(p.Left, Refusal{Name: d.Name, Type: d.Type, Reason: "only at this provider, and the sync did not write it: left alone"})
	}
	p.planMarks(src, dst, marks)
	return p
}

// planMarks makes each name's "_lifeboat" TXT at the target hold the
// source's values plus the sync's mark where the sync writes (or owns) the
// name; a name whose every RRset the sync deletes loses the mark.
func (p *Plan) planMarks(src, dst map[string]RRset, marks map[string]bool) {
	names := map[string]bool{}
	for _, r := range src {
		if !isMark(r) {
			names[r.Name] = true
		}
	}
	mark := dnscutover.OwnershipText(Owner)
	for _, k := range sortedMarkNames(src, dst, marks) {
		oname := dnscutover.OwnerName(k)
		s, inSrc := src[oname+" TXT"]
		d, inDst := dst[oname+" TXT"]
		sync := (marks[k] || ownedIn(d)) && names[k]
		if !inSrc && inDst && !ownedIn(d) && !sync {
			continue // someone else's mark, at this provider only: not ours
		}
		want := RRset{Name: oname, Type: "TXT", TTL: s.TTL}
		if inSrc {
			want.Values = slices.Clone(s.Values)
		} else {
			// Keep the other owners' marks the target has; the source
			// has none for this name.
			want.TTL = cmp.Or(d.TTL, defaultMarkTTL)
			for _, v := range d.Values {
				if o, ok := dnscutover.ParseOwnership(v); !ok || o != Owner {
					want.Values = append(want.Values, v)
				}
			}
		}
		if sync {
			want.Values = append(want.Values, mark)
		}
		slices.Sort(want.Values)
		want.Values = slices.Compact(want.Values)
		if o := droppedOwner(d, want); inDst && o != "" {
			// Another owner's mark is its claim on the name: dropping it
			// would take the name from a service's failovers (the DNS
			// writer refuses it anyway).
			p.Left = append(p.Left, Refusal{Name: oname, Type: "TXT",
				Reason: fmt.Sprintf("differs from the source (%s there, %s at the source); the name is %s's: left to it", valuesOf(d), valuesOf(want), o)})
			continue
		}
		switch {
		case len(want.Values) == 0 && inDst:
			p.Delete = append(p.Delete, Change{Name: oname, Type: "TXT", From: ptr(d)})
		case len(want.Values) == 0:
		case !inDst:
			p.Create = append(p.Create, Change{Name: oname, Type: "TXT", To: ptr(want)})
		case d.equal(want):
			p.Same++
		default:
			p.Change = append(p.Change, Change{Name: oname, Type: "TXT", From: ptr(d), To: ptr(want)})
		}
	}
}

// droppedOwner is an owner other than the sync whose mark is in have but
// not in want, or "".
func droppedOwner(have, want RRset) string {
	for _, v := range have.Values {
		if o, ok := dnscutover.ParseOwnership(v); ok && o != Owner && !slices.Contains(want.Values, v) {
			return o
		}
	}
	return ""
}

// defaultMarkTTL is the TTL of a mark the source does not have.
const defaultMarkTTL = 5 * time.Minute

// sortedMarkNames lists the names whose mark may need writing: those the
// source marks, those the target marks, and those the sync writes.
func sortedMarkNames(src, dst map[string]RRset, marks map[string]bool) []string {
	set := map[string]bool{}
	for _, m := range []map[string]RRset{src, dst} {
		for _, r := range m {
			if isMark(r) {
				set[markedName(r.Name)] = true
			}
		}
	}
	for n := range marks {
		set[n] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// markedName is the name a "_lifeboat" TXT name marks.
func markedName(oname string) string {
	if oname == dnscutover.OwnerName("@") {
		return "@"
	}
	return strings.TrimPrefix(oname, dnscutover.OwnerName("@")+".")
}

func isMark(r RRset) bool {
	return r.Type == "TXT" && (r.Name == dnscutover.OwnerName("@") || strings.HasPrefix(r.Name, dnscutover.OwnerName("@")+"."))
}

func ownedIn(r RRset) bool {
	for _, v := range r.Values {
		if o, ok := dnscutover.ParseOwnership(v); ok && o == Owner {
			return true
		}
	}
	return false
}

// ownedNames lists the names the target marks as the sync's.
func ownedNames(dst map[string]RRset) map[string]bool {
	out := map[string]bool{}
	for _, r := range dst {
		if isMark(r) && ownedIn(r) {
			out[markedName(r.Name)] = true
		}
	}
	return out
}

// serviceNames maps each name the target marks as a service's (an owner
// other than the sync) to that owner.
func serviceNames(dst map[string]RRset) map[string]string {
	out := map[string]string{}
	for _, r := range dst {
		if !isMark(r) {
			continue
		}
		for _, v := range r.Values {
			if o, ok := dnscutover.ParseOwnership(v); ok && o != Owner {
				out[markedName(r.Name)] = o
			}
		}
	}
	return out
}

// rrsets groups records by name and type; SOA and the apex NS are left
// out. Names are lower-cased; "" is the apex.
func rrsets(records []libdns.Record) map[string]RRset {
	out := map[string]RRset{}
	for _, rec := range records {
		rr := rec.RR()
		name := strings.ToLower(rr.Name)
		if name == "" {
			name = "@"
		}
		typ := strings.ToUpper(rr.Type)
		if typ == "SOA" || (typ == "NS" && name == "@") {
			continue
		}
		k := name + " " + typ
		r := out[k]
		r.Name, r.Type = name, typ
		// One TTL per RRset; the lowest wins, as resolvers would cache it.
		if r.TTL == 0 || (rr.TTL > 0 && rr.TTL < r.TTL) {
			r.TTL = rr.TTL
		}
		if !slices.Contains(r.Values, rr.Data) {
			r.Values = append(r.Values, rr.Data)
		}
		out[k] = r
	}
	for k, r := range out {
		slices.Sort(r.Values)
		out[k] = r
	}
	return out
}

func sortedKeys(m map[string]RRset) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func valuesOf(r RRset) string { return strings.Join(r.Values, ", ") }

func ptr(r RRset) *RRset { return &r }

// WriteText renders the plan for one target, as `lifeboat sync` shows it.
func (p Plan) WriteText(w io.Writer, target string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d to create, %d to change, %d to delete, %d left alone, %d already the same\n",
		target, len(p.Create), len(p.Change), len(p.Delete), len(p.Left), p.Same)
	for _, c := range p.Create {
		fmt.Fprintf(&b, "  + %s\n", c.To)
	}
	for _, c := range p.Change {
		fmt.Fprintf(&b, "  ~ %s\n      was %s\n", c.To, c.From)
	}
	for _, c := range p.Delete {
		fmt.Fprintf(&b, "  - %s\n", c.From)
	}
	for _, l := range p.Left {
		fmt.Fprintf(&b, "  ! %s %s: %s\n", l.Name, l.Type, l.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
