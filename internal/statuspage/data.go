package statuspage

import (
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// dataView is one service's data blocks and backups, as the Data
// section shows them.
type dataView struct {
	Service string
	Rows    []dataRow
	Backups []backupRow
}

// dataRow is one data block at one provider.
type dataRow struct {
	Data, Provider, Kind string
	Age                  string // "42s old", "age unknown"
	RPO                  string // "rpo 1m00s", or empty
	State                badge
	Reason               string
}

// backupRow is one backup block's newest backup.
type backupRow struct {
	Backup, Vendor, Newest string
	Age                    string // "3h00m old (max 26h00m)", "none found", "not listed"
	State                  badge
	Reason                 string
}

// dataOf groups the status document's data and backup rows by service,
// in the order the rows come.
func dataOf(data []wire.DataStatus, backups []wire.BackupStatus) []dataView {
	var out []dataView
	at := map[string]int{}
	view := func(service string) *dataView {
		i, ok := at[service]
		if !ok {
			i = len(out)
			at[service] = i
			out = append(out, dataView{Service: service})
		}
		return &out[i]
	}
	for _, d := range data {
		r := dataRow{Data: d.Data, Provider: d.Provider, Kind: d.Kind, Age: d.AgeText(), State: dataBadge(d.State), Reason: d.Reason}
		if d.RPOSeconds > 0 {
			r.RPO = "rpo " + wire.FormatAge(d.RPOSeconds)
		}
		v := view(d.Service)
		v.Rows = append(v.Rows, r)
	}
	for _, b := range backups {
		r := backupRow{Backup: b.Backup, Vendor: b.Vendor, Newest: b.Newest, Age: b.AgeText(), Reason: b.Error}
		switch {
		case b.Error != "":
			r.State = badge{"unknown", toneWarn}
		case b.Newest == "":
			r.State, r.Reason = badge{"none", toneBad}, "no backup found"
		case b.Over:
			r.State, r.Reason = badge{"too old", toneBad}, "older than backup_max_age"
		default:
			r.State = badge{"fresh", toneGood}
		}
		v := view(b.Service)
		v.Backups = append(v.Backups, r)
	}
	return out
}

// dataBadge marks stale and unknown data so they stand out: stale is
// bad (a failover there would lose writes), unknown a warning.
func dataBadge(s wire.DataState) badge {
	switch s {
	case wire.DataFresh:
		return badge{"fresh", toneGood}
	case wire.DataStale:
		return badge{"stale", toneBad}
	case wire.DataUnknown, "":
		return badge{"unknown", toneWarn}
	}
	return badge{string(s), toneNeutral}
}
