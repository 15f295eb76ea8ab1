package dnswriter

import "strings"

// SyncOwner is the zone sync's owner. The sync copies a zone's records to
// its other DNS providers; the addresses of a name that another owner
// marks (a service's failovers, a drill) are never the sync's, adopt or
// not: a source that missed a failover would otherwise put the old
// addresses back.
const SyncOwner = "lifeboat/sync"

// ServiceOwner is the owner a service's records are marked with:
// "lifeboat/www".
func ServiceOwner(service string) string { return "lifeboat/" + service }

// DrillOwner is the owner a canary drill's record is marked with:
// "lifeboat-drill/www". It is never a service's owner, so a drill cannot
// change or delete the service's records.
func DrillOwner(service string) string { return "lifeboat-drill/" + service }

const (
	ownerPrefix = "_lifeboat"
	heritage    = "lifeboat"
	heritageKey = "heritage"
	ownerKey    = "owner"
	kvSeparator = ","
)

// OwnerName is the name of the TXT RRset that marks name (relative, "@"
// for the apex) as owned: "_lifeboat.www", or "_lifeboat" for the apex.
func OwnerName(name string) string {
	if name == "@" || name == "" {
		return ownerPrefix
	}
	return ownerPrefix + "." + name
}

// OwnershipText is the TXT value that marks a name as owner's.
func OwnershipText(owner string) string {
	return heritageKey + "=" + heritage + kvSeparator + ownerKey + "=" + owner
}

// ParseOwnership returns the owner a lifeboat ownership TXT value names,
// and false for any other text.
func ParseOwnership(text string) (owner string, ok bool) {
	var isOurs bool
	for kv := range strings.SplitSeq(strings.Trim(strings.TrimSpace(text), `"`), kvSeparator) {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case heritageKey:
			isOurs = v == heritage
		case ownerKey:
			owner = v
		}
	}
	return owner, isOurs
}

// IsMarkName reports whether name (relative, lower-case) holds ownership
// marks, and which name it marks.
func IsMarkName(name string) (marked string, ok bool) {
	switch {
	case name == ownerPrefix:
		return "@", true
	case strings.HasPrefix(name, ownerPrefix+"."):
		return strings.TrimPrefix(name, ownerPrefix+"."), true
	}
	return "", false
}
