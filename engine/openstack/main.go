// Command pulumi-resource-openstack is the OpenStack resource provider used by this
// project's local engine: the upstream Terraform OpenStack provider served through
// Pulumi's Terraform bridge, with the tokens @pulumi/openstack uses (sdk_tokens.go,
// generated from the SDK) and, for types the SDK lacks, tokens made the same way
// (openstack_compute_instance_v2 -> openstack:compute/instance:Instance).
//
// It exists because the Go module proxy reachable from this project's machines does
// not serve github.com/pulumi/pulumi-openstack/provider; see docs/engine.md. On a
// user's machine the official provider is installed with `pulumi plugin install`.
package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/info"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/v3/openstack"
)

// version is what the plugin reports to the engine; build.sh sets it with -ldflags -X.
var version = "0.0.0-dev"

// upstreamVersion names the Terraform provider module compiled in; set by build.sh.
var upstreamVersion = "unknown"

var versionSuffix = regexp.MustCompile(`_v[0-9]+$`)

// token maps a Terraform type name to a Pulumi token: module = first word after the
// "openstack_" prefix, name = the rest in UpperCamelCase without the _vN suffix.
func token(tfToken string, dataSource bool) (string, error) {
	rest, ok := strings.CutPrefix(tfToken, "openstack_")
	if !ok {
		return "", fmt.Errorf("token %q lacks the openstack_ prefix", tfToken)
	}
	rest = versionSuffix.ReplaceAllString(rest, "")
	mod, name, ok := strings.Cut(rest, "_")
	if !ok || name == "" {
		// A one-word type (openstack_bgpvpn_v2) is its own module.
		name = mod
	}
	camel := ""
	for _, part := range strings.Split(name, "_") {
		if part != "" {
			camel += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	if dataSource {
		camel = "get" + camel
		return fmt.Sprintf("openstack:%s/%s:%s", mod, camel, camel), nil
	}
	lower := strings.ToLower(camel[:1]) + camel[1:]
	return fmt.Sprintf("openstack:%s/%s:%s", mod, lower, camel), nil
}

func providerInfo() tfbridge.ProviderInfo {
	p := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(openstack.Provider()),
		Name:        "openstack",
		Version:     version,
		DisplayName: "OpenStack",
		Publisher:   "nodepool (local build)",
		License:     "Apache-2.0",
		Description: "OpenStack provider built from terraform-provider-openstack " + upstreamVersion,
		Homepage:    "https://www.pulumi.com",
		Repository:  "https://github.com/terraform-provider-openstack/terraform-provider-openstack",
		Config:      map[string]*tfbridge.SchemaInfo{},
	}
	seen := map[string]string{}
	unique := func(tfToken, tok string) error {
		key := strings.ToLower(tok)
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s and %s both map to %s", prev, tfToken, tok)
		}
		seen[key] = tfToken
		return nil
	}
	p.MustComputeTokens(info.Strategy{
		Resource: func(tfToken string, r *info.Resource) error {
			if r.Tok != "" {
				return nil
			}
			tok, err := sdkResourceTokens[tfToken], error(nil)
			if tok == "" {
				tok, err = token(tfToken, false)
			}
			if err == nil {
				err = unique(tfToken, tok)
			}
			if err != nil {
				return err
			}
			r.Tok = tokens.Type(tok)
			return nil
		},
		DataSource: func(tfToken string, d *info.DataSource) error {
			if d.Tok != "" {
				return nil
			}
			tok, err := sdkDataSourceTokens[tfToken], error(nil)
			if tok == "" {
				tok, err = token(tfToken, true)
			}
			if err == nil {
				err = unique(tfToken, tok)
			}
			if err != nil {
				return err
			}
			d.Tok = tokens.ModuleMember(tok)
			return nil
		},
	})
	p.SetAutonaming(255, "-")
	return p
}

func main() {
	tfbridge.Main("openstack", version, providerInfo(), nil)
}
