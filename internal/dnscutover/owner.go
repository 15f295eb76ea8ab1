package dnscutover

// OwnerName is the name of the TXT RRset that marks name (relative, "@"
// for the apex) as owned: "_lifeboat.www", or "_lifeboat" for the apex.
func OwnerName(name string) string { return ownerName(name) }

// OwnershipText is the TXT value that marks a name as owner's.
func OwnershipText(owner string) string { return ownershipText(owner) }

// ParseOwnership returns the owner a lifeboat ownership TXT value names,
// and false for any other text.
func ParseOwnership(text string) (string, bool) { return parseOwnership(text) }
