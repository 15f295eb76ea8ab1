package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadBackend(t *testing.T) {
	for name, tc := range map[string]struct {
		tf                  string
		typ, vendor, detail string
		mustNotShow         string
	}{
		"none":       {`resource "null_resource" "x" {}`, "local", "", "terraform.tfstate in", ""},
		"local path": {tf(`backend "local"`, `path = "/srv/state/x.tfstate"`), "local", "", "state file /srv/state/x.tfstate", ""},
		"aws s3":     {tf(`backend "s3"`, `bucket = "tfstate"`, `region = "eu-central-1"`), "s3", "aws", "bucket tfstate", ""},
		"s3 elsewhere": {`terraform {
  backend "s3" {
    bucket = "tfstate"
    endpoints = { s3 = "https://fsn1.your-objectstorage.com" }
    access_key = "AKIASECRET"
  }
}`, "s3", "your-objectstorage.com", "bucket tfstate at fsn1.your-objectstorage.com", "AKIASECRET"},
		"s3 endpoint block": {`terraform {
  backend "s3" {
    bucket = "b"
    endpoints {
      s3 = "https://s3.eu-west-par.io.cloud.ovh.net"
    }
  }
}`, "s3", "ovh.net", "bucket b at s3.eu-west-par.io.cloud.ovh.net", ""},
		"pg with a password": {tf(`backend "pg"`, `conn_str = "postgres://lb:hunter2@db.example.net/tf"`), "pg", "example.net", "PostgreSQL at db.example.net", "hunter2"},
		"pg key value":       {tf(`backend "pg"`, `conn_str = "host=10.0.0.5 user=lb password=hunter2"`), "pg", "10.0.0.5", "PostgreSQL at 10.0.0.5", "hunter2"},
		"http":               {tf(`backend "http"`, `address = "https://state.gitlab.com/api/x"`), "http", "gitlab.com", "http backend at state.gitlab.com", ""},
		"hcp":                {tf(`cloud`, `organization = "acme"`), "cloud", "hashicorp", "organization acme at app.terraform.io", ""},
		"partial s3":         {"terraform {\n  backend \"s3\" {}\n}\n", "s3", "", "s3 backend configured at init", ""},
		"gcs":                {tf(`backend "gcs"`, `bucket = "st"`), "gcs", "google", "bucket st", ""},
		"variable endpoint":  {tf(`backend "http"`, `address = var.x`), "http", "", "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tc.tf), 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := ReadBackend(dir)
			if err != nil {
				t.Fatal(err)
			}
			if b.Type != tc.typ || b.Vendor != tc.vendor || !strings.HasPrefix(b.Detail, tc.detail) {
				t.Errorf("got %+v, want type %s vendor %q detail %q", b, tc.typ, tc.vendor, tc.detail)
			}
			if tc.mustNotShow != "" && strings.Contains(b.Detail+b.Vendor, tc.mustNotShow) {
				t.Errorf("a secret from the backend block shows: %+v", b)
			}
		})
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "main.tf"), []byte("terraform {"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBackend(bad); err == nil || !strings.Contains(err.Error(), "main.tf") {
		t.Errorf("a configuration that does not parse: %v, want an error naming the file", err)
	}
}

// tf writes a terraform block holding one block with the attributes.
func tf(block string, attrs ...string) string {
	return "terraform {\n  " + block + " {\n    " + strings.Join(attrs, "\n    ") + "\n  }\n}\n"
}

// A partial backend completed at init (backend_config) is described by
// what init is given.
func TestReadBackendCompleted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("terraform {\n  backend \"http\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadBackendCompleted(dir, map[string]string{"address": "https://gitlab.com/api/v4/projects/1/terraform/state/x"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Type != "http" || b.Vendor != "gitlab.com" || b.Detail != "http backend at gitlab.com" {
		t.Errorf("got %+v, want the http backend at gitlab.com", b)
	}
}
