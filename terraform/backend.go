package terraform

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Backend is where a workspace keeps its state, as its configuration says.
type Backend struct {
	// Type is the backend's type; "local" also when no backend is
	// configured.
	Type string
	// Vendor holds the state, when the type or its endpoint says so; empty
	// for a local backend (the machine that runs lifeboat) and when it
	// cannot be told.
	Vendor string
	// Detail names the bucket or host, never a credential.
	Detail string
	// File is where the backend block was found.
	File string
}

// vendorOf names the vendor behind a backend type that always lives at
// one vendor.
var vendorOf = map[string]string{
	"s3": "aws", "gcs": "google", "azurerm": "microsoft", "remote": "hashicorp", "cloud": "hashicorp",
	"oss": "alibaba", "cos": "tencent", "oci": "oracle",
}

// ReadBackend reads the backend block of the Terraform configuration in
// dir (its *.tf files; JSON configurations are not read). Only literal
// attributes are looked at: nothing is evaluated, and secrets in the
// block (access keys, passwords in a connection string) are never kept.
func ReadBackend(dir string) (Backend, error) { return ReadBackendCompleted(dir, nil) }

// ReadBackendCompleted is ReadBackend for a backend completed at init by
// the settings in init (backend_config): they count as if written in the
// block. Pass only settings that are not secret.
func ReadBackendCompleted(dir string, init map[string]string) (Backend, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return Backend{}, err
	}
	sort.Strings(files)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return Backend{}, fmt.Errorf("read %s: %w", f, err)
		}
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			return Backend{}, fmt.Errorf("parse %s: %w", f, diags)
		}
		body, ok := file.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, tb := range body.Blocks {
			if tb.Type != "terraform" {
				continue
			}
			for _, b := range tb.Body.Blocks {
				if (b.Type == "backend" && len(b.Labels) == 1) || b.Type == "cloud" {
					typ := "cloud"
					if b.Type == "backend" {
						typ = b.Labels[0]
					}
					attrs := literals(b.Body)
					for k, v := range init {
						attrs[k] = v
					}
					be := describe(typ, attrs)
					be.File = f
					return be, nil
				}
			}
		}
	}
	return Backend{Type: "local", Detail: "terraform.tfstate in " + dir}, nil
}

// literals returns the block's attributes that are plain strings, and
// those of its nested blocks as "block.attr".
func literals(body *hclsyntax.Body) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, b *hclsyntax.Body)
	walk = func(prefix string, b *hclsyntax.Body) {
		for name, a := range b.Attributes {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
				continue
			}
			switch {
			case v.Type() == cty.String:
				out[prefix+name] = v.AsString()
			case v.Type().IsObjectType() || v.Type().IsMapType():
				// endpoints = { s3 = "..." }, as a block would be.
				for k, e := range v.AsValueMap() {
					if e.Type() == cty.String && !e.IsNull() {
						out[prefix+name+"."+k] = e.AsString()
					}
				}
			}
		}
		for _, nb := range b.Blocks {
			walk(prefix+nb.Type+".", nb.Body)
		}
	}
	walk("", body)
	return out
}

// describe tells who holds a backend's state from its type and the
// endpoint it names.
func describe(typ string, attrs map[string]string) Backend {
	be := Backend{Type: typ, Vendor: vendorOf[typ]}
	if len(attrs) == 0 && typ != "local" {
		// A partial configuration, completed at init (-backend-config):
		// the type alone does not say where (an S3-compatible store, say).
		be.Vendor, be.Detail = "", typ+" backend configured at init"
		return be
	}
	host := func(raw string) string {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			return u.Hostname()
		}
		return ""
	}
	switch typ {
	case "local":
		be.Detail = "state file " + orDefault(attrs["path"], "terraform.tfstate")
	case "s3":
		be.Detail = "bucket " + attrs["bucket"]
		// A custom endpoint is an S3-compatible store elsewhere: its host
		// says where, not "aws".
		for _, k := range []string{"endpoints.s3", "endpoint"} {
			if h := host(attrs[k]); h != "" {
				be.Vendor, be.Detail = domainOf(h), be.Detail+" at "+h
				break
			}
		}
	case "gcs", "oss", "cos":
		be.Detail = "bucket " + attrs["bucket"]
	case "azurerm":
		be.Detail = "storage account " + attrs["storage_account_name"]
	case "remote", "cloud":
		h := orDefault(attrs["hostname"], "app.terraform.io")
		be.Detail = "organization " + attrs["organization"] + " at " + h
		if h != "app.terraform.io" {
			be.Vendor = domainOf(h)
		}
	case "http":
		if h := host(attrs["address"]); h != "" {
			be.Vendor, be.Detail = domainOf(h), "http backend at "+h
		}
	case "pg":
		// The connection string may carry a password: only its host is kept.
		if h := pgHost(attrs["conn_str"]); h != "" {
			be.Vendor, be.Detail = domainOf(h), "PostgreSQL at "+h
		}
	case "consul":
		if h := attrs["address"]; h != "" {
			h = strings.Split(h, ":")[0]
			be.Vendor, be.Detail = domainOf(h), "Consul at "+h
		}
	}
	return be
}

// pgHost is the host of a PostgreSQL URL or key=value connection string.
func pgHost(conn string) string {
	if u, err := url.Parse(conn); err == nil && u.Host != "" {
		return u.Hostname()
	}
	for _, kv := range strings.Fields(conn) {
		if h, ok := strings.CutPrefix(kv, "host="); ok {
			return h
		}
	}
	return ""
}

// domainOf names the vendor behind a host by its last two labels
// ("fsn1.your-objectstorage.com" -> "your-objectstorage.com"); an IP
// address is kept whole.
func domainOf(host string) string {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(labels) <= 2 || strings.Trim(host, "0123456789.") == "" {
		return host
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
