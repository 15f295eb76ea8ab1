package datafresh

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseLSN(t *testing.T) {
	tests := []struct {
		in      string
		want    LSN
		wantErr bool
	}{
		{in: "0/0", want: 0},
		{in: "0/3000148", want: 0x3000148},
		{in: "16/B374D848", want: 0x16_B374D848},
		{in: "FFFFFFFF/FFFFFFFF", want: 1<<64 - 1},
		{in: "16/b374d848", want: 0x16_B374D848},
		{in: "", wantErr: true},
		{in: "16", wantErr: true},
		{in: "/1", wantErr: true},
		{in: "1/", wantErr: true},
		{in: "1/G", wantErr: true},
		{in: "100000000/0", wantErr: true},
		{in: "-1/0", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseLSN(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLSN(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && !strings.EqualFold(got.String(), tt.in) {
			t.Errorf("LSN(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestFresh(t *testing.T) {
	const rpo = 30 * time.Second
	replica := func(replayed, received LSN, lag time.Duration, lagKnown bool) Measurement {
		return Measurement{InRecovery: true, LSN: replayed, ReceivedLSN: received,
			Pending: received > replayed, Lag: lag, LagKnown: lagKnown}
	}
	tests := []struct {
		name         string
		m            Measurement
		last         LSN
		want         State
		wantAge      time.Duration
		wantAgeKnown bool
		wantDistance uint64
		reason       string // a part of the reason
	}{
		{name: "failed measurement is unknown, never fresh",
			m: Measurement{Err: errors.New("connection refused")}, last: 100,
			want: StateUnknown, reason: "connection refused"},
		{name: "failed measurement with a zero age is still unknown",
			m: Measurement{InRecovery: true, LSN: 100, LagKnown: true, Err: errors.New("timeout")}, last: 100,
			want: StateUnknown, reason: "measurement failed"},
		{name: "replica caught up with the primary's last position",
			m: replica(100, 100, 0, true), last: 100,
			want: StateFresh, wantAgeKnown: true, reason: "within the RPO"},
		{name: "replica past the last position seen (the primary moved on since)",
			m: replica(150, 150, 0, true), last: 100,
			want: StateFresh, wantAgeKnown: true},
		{name: "replica with a small lag within the RPO",
			m: replica(100, 120, 2*time.Second, true), last: 100,
			want: StateFresh, wantAge: 2 * time.Second, wantAgeKnown: true},
		{name: "receiver stopped: nothing pending, lag 0, but behind the primary",
			m: replica(100, 100, 0, true), last: 4196,
			want: StateStale, wantAgeKnown: true, wantDistance: 4096, reason: "4096 bytes behind"},
		{name: "replay paused: behind and old",
			m: replica(100, 300, 45*time.Second, true), last: 300,
			want: StateStale, wantAge: 45 * time.Second, wantAgeKnown: true, wantDistance: 200, reason: "age 45s"},
		{name: "replayed to the last position but lag over the RPO",
			m: replica(100, 300, 31*time.Second, true), last: 100,
			want: StateStale, wantAge: 31 * time.Second, wantAgeKnown: true, reason: "over the RPO 30s"},
		{name: "lag exactly the RPO is within it",
			m: replica(100, 300, rpo, true), last: 100,
			want: StateFresh, wantAge: rpo, wantAgeKnown: true},
		{name: "no primary position seen yet: unknown even with lag 0",
			m: replica(100, 100, 0, true), last: 0,
			want: StateUnknown, wantAgeKnown: true, reason: "no primary position"},
		{name: "pending WAL and no replay time yet: age unknown",
			m: replica(100, 200, 0, false), last: 100,
			want: StateUnknown, reason: "age unknown"},
		{name: "primary at the last position",
			m: Measurement{Writable: true, LSN: 500}, last: 500,
			want: StateFresh, wantAgeKnown: true, reason: "accepting writes"},
		{name: "primary never compared before",
			m: Measurement{Writable: true, LSN: 500}, last: 0,
			want: StateFresh, wantAgeKnown: true},
		{name: "a primary behind the last position seen (another one wrote past it)",
			m: Measurement{Writable: true, LSN: 400}, last: 500,
			want: StateStale, wantAgeKnown: true, wantDistance: 100},
		{name: "read-only, not in recovery (fenced)",
			m: Measurement{LSN: 500}, last: 500,
			want: StateUnknown, reason: "read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Fresh(tt.m, tt.last, rpo)
			if v.State != tt.want || v.Age != tt.wantAge || v.AgeKnown != tt.wantAgeKnown || v.Distance != tt.wantDistance {
				t.Errorf("Fresh = %+v; want state %v, age %v (known %v), distance %d",
					v, tt.want, tt.wantAge, tt.wantAgeKnown, tt.wantDistance)
			}
			if v.Reason == "" || !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", v.Reason, tt.reason)
			}
		})
	}
}

// measurement reads the query's row: the lag counts only when WAL is
// pending (the replay timestamp ages on an idle primary).
func TestMeasurementFromRow(t *testing.T) {
	s := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }
	at := time.Unix(1700000000, 0)
	tests := []struct {
		name                 string
		inRecovery, readOnly bool
		lsn, received        *string
		lag                  *float64
		want                 Measurement
		wantErr              bool
	}{
		{name: "primary", lsn: s("0/3000148"),
			want: Measurement{At: at, Writable: true, LSN: 0x3000148}},
		{name: "read-only primary", readOnly: true, lsn: s("0/10"),
			want: Measurement{At: at, LSN: 0x10}},
		{name: "idle replica: old replay timestamp, nothing pending",
			inRecovery: true, readOnly: false, lsn: s("0/20"), received: s("0/20"), lag: f(3600),
			want: Measurement{At: at, InRecovery: true, LSN: 0x20, ReceivedLSN: 0x20, LagKnown: true}},
		{name: "replica with WAL pending",
			inRecovery: true, lsn: s("0/20"), received: s("0/80"), lag: f(12.5),
			want: Measurement{At: at, InRecovery: true, LSN: 0x20, ReceivedLSN: 0x80, Pending: true,
				Lag: 12500 * time.Millisecond, LagKnown: true}},
		{name: "replica with WAL pending and no transaction replayed yet",
			inRecovery: true, lsn: s("0/20"), received: s("0/80"),
			want: Measurement{At: at, InRecovery: true, LSN: 0x20, ReceivedLSN: 0x80, Pending: true}},
		{name: "replica clock behind: no negative lag",
			inRecovery: true, lsn: s("0/20"), received: s("0/80"), lag: f(-0.5),
			want: Measurement{At: at, InRecovery: true, LSN: 0x20, ReceivedLSN: 0x80, Pending: true, LagKnown: true}},
		{name: "replica that never streamed (no receive position)",
			inRecovery: true, lsn: s("0/20"),
			want: Measurement{At: at, InRecovery: true, LSN: 0x20, LagKnown: true}},
		{name: "bad LSN text", lsn: s("bogus"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := measurement(at, tt.inRecovery, tt.readOnly, tt.lsn, tt.received, tt.lag)
			if tt.wantErr {
				if got.Err == nil {
					t.Errorf("measurement = %+v, want an error", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("measurement = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
