package planner_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/puritytest"
)

// TestPlannerStaysPure reads the package's own source: the planner may not
// import anything that does I/O, reads the clock, draws random numbers or
// logs. A new import must be added here on purpose.
func TestPlannerStaysPure(t *testing.T) {
	puritytest.Check(t, "the planner", map[string]bool{
		"encoding/json": true, "errors": true, "fmt": true, "maps": true, "slices": true,
		"strconv": true, "strings": true, "time": true,
		"github.com/lifeboat-dev/lifeboat/internal/config": true,
	})
}
