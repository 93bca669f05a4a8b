package apt

import (
	"strings"
	"testing"
)

func TestKernelDebugNames(t *testing.T) {
	tests := []struct {
		name    string
		family  bool   // a kernel debug package name
		release string // the release it carries, "" for a meta package
	}{
		// Real kernels.
		{"linux-image-6.1.0-53-cloud-amd64-dbg", true, "6.1.0-53-cloud-amd64"},
		{"linux-image-6.12.107+deb13-amd64-dbg", true, "6.12.107+deb13-amd64"},
		{"linux-image-6.12.117+deb13-arm64-16k-dbg", true, "6.12.117+deb13-arm64-16k"},
		{"linux-image-6.11.10-amd64-dbg", true, "6.11.10-amd64"},
		{"linux-image-4.19.0-0.bpo.6-amd64-dbg", true, "4.19.0-0.bpo.6-amd64"},
		{"linux-image-3.0-1-amd64-dbg", true, "3.0-1-amd64"},
		{"linux-image-6.12.107-dbg", true, "6.12.107"},
		{"linux-image-5.15.0-91-generic-dbgsym", true, "5.15.0-91-generic"},
		{"linux-image-unsigned-6.8.0-31-generic-dbgsym", true, "6.8.0-31-generic"},
		{"linux-image-unsigned-5.4.0-1103-aws-dbgsym", true, "5.4.0-1103-aws"},
		// Meta packages.
		{"linux-image-amd64-dbg", true, ""},
		{"linux-image-cloud-arm64-dbg", true, ""},
		{"linux-image-6.12-amd64-dbg", true, ""},
		{"linux-image-6.12-dbg", true, ""},
		{"linux-image-6-amd64-dbg", true, ""},
		{"linux-image-6.x.1-amd64-dbg", true, ""},
		{"linux-image-6.1.0@x-dbg", true, ""},
		{"linux-image-6.1.0/x-dbg", true, ""},
		{"linux-image-generic-dbgsym", true, ""},
		{"linux-image-unsigned-generic-dbgsym", true, ""},
		{"linux-image-" + strings.Repeat("6.1.0", 52) + "-dbg", true, ""},
		// Other packages.
		{"linux-image-dbg", false, ""},
		{"linux-image-6.1.0-47-amd64", false, ""},
		{"linux-headers-6.1.0-47-amd64-dbg", false, ""},
		{"bash", false, ""},
		{"", false, ""},
	}
	for _, tc := range tests {
		rel, family := debugRelease(tc.name)
		if family != tc.family {
			t.Errorf("%s: family %v, want %v", tc.name, family, tc.family)
			continue
		}
		if !family {
			continue
		}
		real := isKernelRelease(rel)
		if real != (tc.release != "") || real && rel != tc.release {
			t.Errorf("%s: release %q (real %v), want %q", tc.name, rel, real, tc.release)
		}
	}
}

func TestIsMetaDescription(t *testing.T) {
	for desc, want := range map[string]bool{
		"Debugging symbols for Linux amd64 configuration (meta-package)": true,
		"Linux kernel image debug symbols (metapackage)\n more":          true,
		"Meta package for debug symbols":                                 true,
		"Debug symbols for linux-image-6.1.0-47-amd64":                   false,
		"Debug symbols\n This is not a meta-package.":                    false,
		"": false,
	} {
		if got := isMetaDescription(desc); got != want {
			t.Errorf("isMetaDescription(%q) = %v, want %v", desc, got, want)
		}
	}
}
