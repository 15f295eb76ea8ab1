package planner_test

import (
	"encoding/json"
	"reflect"
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

// Vars marked secret per attribute are hidden whatever their value looks
// like: a template around env() or a value of a few bytes. The mark of the
// map that supplied the final value decides (the service's overrides the
// workspace's).
func TestSecretVarMarks(t *testing.T) {
	cfg := fixture()
	h := cfg.Provider("hetzner")
	h.Terraform.Vars = map[string]string{
		"auth":     "Bearer tok-1234", // built by a template around env()
		"location": "fsn1",
		"token":    "ws-secret-value", // secret here, overridden in clear by the service
		"size":     "cx22",            // in clear here, overridden by a secret
	}
	h.Terraform.SecretVars = map[string]bool{"auth": true, "token": true}
	www := cfg.Service("www")
	www.Vars = map[string]string{"pin": "42", "token": "public", "size": "cx32-secret"}
	www.SecretVars = map[string]bool{"pin": true, "size": true}

	res, err := planner.Plan(planner.Input{
		Config:    cfg,
		Providers: obs(with("aws", planner.StateDown)),
		DNS:       healthyDNS(),
		Placement: placedOnPrimary(),
		Request:   planner.Request{Kind: planner.KindManual, Service: "www"},
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
	want := map[string]string{
		"auth": planner.SecretValue, "pin": planner.SecretValue, "size": planner.SecretValue,
		"location": "fsn1", "token": "public",
	}
	if !reflect.DeepEqual(apply.Vars, want) {
		t.Errorf("apply vars %v, want %v", apply.Vars, want)
	}
	if !slices.Equal(apply.SecretVars, []string{"auth", "pin", "size"}) {
		t.Errorf("secret vars %v", apply.SecretVars)
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"tok-1234", `"42"`, "cx32-secret", "ws-secret-value"} {
		if strings.Contains(res.Text(), secret) || strings.Contains(string(js), secret) {
			t.Errorf("%s is in the plan", secret)
		}
	}
}
