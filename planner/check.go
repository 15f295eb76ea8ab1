package planner

import "github.com/lifeboat-dev/lifeboat/internal/config"

// CheckRequest checks the names and the kind of req against cfg as Plan
// does, with nothing observed yet: a caller asks it first, so a typo is
// answered at once rather than after the rounds that confirm a loss.
func CheckRequest(cfg *config.Config, req Request) error {
	_, err := newPlanner(Input{Config: cfg, Request: req})
	return err
}
