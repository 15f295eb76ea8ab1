package daemon

import "github.com/lifeboat-dev/lifeboat/health"

// GCPercent is the garbage collector's target percentage `lifeboat run`
// sets when GOGC is not: the monitor's own (health.DaemonGCPercent).
const GCPercent = health.DaemonGCPercent
