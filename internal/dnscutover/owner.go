package dnscutover

import (
	"strings"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// OwnerName is the name of the TXT RRset that marks name (relative, "@"
// for the apex) as owned: "_lifeboat.www", or "_lifeboat" for the apex.
func OwnerName(name string) string { return ownerName(name) }

// OwnershipText is the TXT value that marks a name as owner's.
func OwnershipText(owner string) string { return ownershipText(owner) }

// ParseOwnership returns the owner a lifeboat ownership TXT value names,
// and false for any other text.
func ParseOwnership(text string) (string, bool) { return parseOwnership(text) }

// ServiceOwner is the owner a service's records are marked with:
// "lifeboat/www".
func ServiceOwner(service string) string { return dnswriter.ServiceOwner(service) }

// DrillOwner is the owner a canary drill's record is marked with:
// "lifeboat-drill/www". It is never a service's owner, so the ownership
// rule keeps a drill from changing or deleting the service's records.
func DrillOwner(service string) string { return dnswriter.DrillOwner(service) }

// Claimable applies the cutover's ownership rule to record name (relative,
// "@" for the apex) in a zone holding records, as a Cutover with Owner
// owner and Exclusive exclusive would: nil when owner may write it (it is
// free, or marked as owner's), an error wrapping ErrNotOwned otherwise.
// Adopting is not considered.
func Claimable(records []libdns.Record, name, owner string, exclusive bool) error {
	return dnswriter.Claim(records, "", strings.ToLower(name), owner, exclusive)
}

// Owned reports whether records (a zone's, names relative) mark record
// name (relative, "@" for the apex) as owner's, read as the cutover reads
// its marks.
func Owned(records []libdns.Record, name, owner string) bool {
	ours, _ := newZoneView(records).owners(strings.ToLower(name), owner)
	return ours
}
