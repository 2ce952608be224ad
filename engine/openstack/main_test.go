package main

import (
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	cases := []struct {
		tf         string
		dataSource bool
		want       string
	}{
		{"openstack_compute_instance_v2", false, "openstack:compute/instance:Instance"},
		{"openstack_images_image_v2", false, "openstack:images/image:Image"},
		{"openstack_networking_floatingip_associate_v2", false, "openstack:networking/floatingipAssociate:FloatingipAssociate"},
		{"openstack_bgpvpn_v2", false, "openstack:bgpvpn/bgpvpn:Bgpvpn"},
		{"openstack_compute_flavor_v2", true, "openstack:compute/getFlavor:getFlavor"},
	}
	for _, c := range cases {
		got, err := token(c.tf, c.dataSource)
		if err != nil || got != c.want {
			t.Errorf("token(%q, %v) = %q, %v; want %q", c.tf, c.dataSource, got, err, c.want)
		}
	}
}

// Every Terraform type gets a distinct token, and the ones the project uses are there.
func TestProviderInfoTokens(t *testing.T) {
	p := providerInfo()
	want := map[string]string{
		"openstack_compute_instance_v2":    "openstack:compute/instance:Instance",
		"openstack_images_image_v2":        "openstack:images/image:Image",
		"openstack_compute_keypair_v2":     "openstack:compute/keypair:Keypair",
		"openstack_networking_secgroup_v2": "openstack:networking/secGroup:SecGroup",
		"openstack_lb_loadbalancer_v2":     "openstack:loadbalancer/loadBalancer:LoadBalancer",
		"openstack_blockstorage_volume_v3": "openstack:blockstorage/volume:Volume",
	}
	for tf, tok := range want {
		r, ok := p.Resources[tf]
		if !ok || string(r.Tok) != tok {
			t.Errorf("%s: got %v, want %s", tf, r, tok)
		}
	}
	if len(p.Resources) < 100 || len(p.DataSources) < 30 {
		t.Errorf("only %d resources and %d data sources mapped", len(p.Resources), len(p.DataSources))
	}
	for tf, r := range p.Resources {
		if !strings.HasPrefix(string(r.Tok), "openstack:") {
			t.Errorf("%s: bad token %q", tf, r.Tok)
		}
	}
}
