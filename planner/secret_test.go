package planner_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// A variable whose value comes from env() is never written into the plan,
// which is printed and journaled; the plan names it for the executor.
func TestSecretVarsStayOutOfThePlan(t *testing.T) {
	src := `
provider "a" {
  terraform {
    dir = "infra/a"
  }
}
provider "b" {
  terraform {
    dir  = "infra/b"
    vars = { api_token = env("B_TOKEN"), size = "cx22" }
  }
}
dns "d" {
  type = "rfc2136"
  zone = "example.com."
  settings = { server = "127.0.0.1:53" }
}
service "www" {
  records    = ["www"]
  candidates = ["a", "b"]
  vars       = { active = "true" }
  check "h" {
    http {
      path = "/"
    }
  }
}
`
	const secret = "tok-9f8e7d6c5b4a"
	cfg, err := config.Parse("t.hcl", []byte(src), config.Options{LookupEnv: func(k string) (string, bool) {
		return secret, k == "B_TOKEN"
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := planner.Plan(planner.Input{
		Config:    cfg,
		Providers: map[string]planner.Observation{"a": {State: planner.StateDown}, "b": {State: planner.StateHealthy}},
		DNS:       map[string]planner.Observation{"d": {State: planner.StateHealthy}},
		Request:   planner.Request{Kind: planner.KindManual, From: "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moves() != 1 {
		t.Fatalf("plan: %s", res.Text())
	}
	var apply planner.Step
	for _, st := range res.Services[0].Steps {
		if st.Kind == planner.StepApply {
			apply = st
		}
	}
	if apply.Vars["api_token"] != planner.SecretValue || apply.Vars["size"] != "cx22" || apply.Vars["active"] != "true" {
		t.Fatalf("apply vars %v", apply.Vars)
	}
	if !slices.Equal(apply.SecretVars, []string{"api_token"}) {
		t.Fatalf("secret vars %v", apply.SecretVars)
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Text(), secret) || strings.Contains(string(js), secret) {
		t.Fatal("the secret is in the plan")
	}
}
