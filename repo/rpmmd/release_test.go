package rpmmd

import (
	"errors"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/pkgread"
	"github.com/btfhub/btfhub/repo"
)

// releaseCases are kernel debuginfo packages as distributions publish
// them, with the kernel release (uname -r) of the kernel inside and the
// archive key.
var releaseCases = []struct {
	name, ver, rel, arch string
	distro               string // Repo.Distro, if the case needs one
	release              string
	keyDistro, keyVer    string
}{
	// Fedora.
	{"kernel-debuginfo", "6.5.6", "300.fc39", "x86_64", "", "6.5.6-300.fc39.x86_64", "fedora", "39"},
	{"kernel-debug-debuginfo", "6.5.6", "300.fc39", "x86_64", "", "6.5.6-300.fc39.x86_64+debug", "fedora", "39"},
	{"kernel-16k-debuginfo", "6.8.5", "301.fc40", "aarch64", "", "6.8.5-301.fc40.aarch64+16k", "fedora", "40"},
	// RHEL 9: flavours are "+FLAVOUR", rt included.
	{"kernel-debuginfo", "5.14.0", "362.8.1.el9_3", "x86_64", "rhel", "5.14.0-362.8.1.el9_3.x86_64", "rhel", "9"},
	{"kernel-rt-debuginfo", "5.14.0", "70.13.1.rt21.83.el9_0", "x86_64", "rhel", "5.14.0-70.13.1.rt21.83.el9_0.x86_64+rt", "rhel", "9"},
	{"kernel-rt-debug-debuginfo", "5.14.0", "362.8.1.el9_3", "x86_64", "rhel", "5.14.0-362.8.1.el9_3.x86_64+rt-debug", "rhel", "9"},
	{"kernel-64k-debuginfo", "5.14.0", "284.11.1.el9_2", "aarch64", "almalinux", "5.14.0-284.11.1.el9_2.aarch64+64k", "almalinux", "9"},
	{"kernel-64k-debug-debuginfo", "5.14.0", "284.11.1.el9_2", "aarch64", "rocky", "5.14.0-284.11.1.el9_2.aarch64+64k-debug", "rocky", "9"},
	// RHEL 8: the realtime kernel's release has no +rt.
	{"kernel-debuginfo", "4.18.0", "513.5.1.el8_9", "x86_64", "centos", "4.18.0-513.5.1.el8_9.x86_64", "centos", "8"},
	{"kernel-debug-debuginfo", "4.18.0", "348.el8", "x86_64", "rhel", "4.18.0-348.el8.x86_64+debug", "rhel", "8"},
	{"kernel-rt-debuginfo", "4.18.0", "513.5.1.rt7.307.el8_9", "x86_64", "rhel", "4.18.0-513.5.1.rt7.307.el8_9.x86_64", "rhel", "8"},
	{"kernel-rt-debug-debuginfo", "4.18.0", "513.5.1.rt7.307.el8_9", "x86_64", "rhel", "4.18.0-513.5.1.rt7.307.el8_9.x86_64+debug", "rhel", "8"},
	// RHEL 7 and CentOS 7: ".debug".
	{"kernel-debuginfo", "3.10.0", "1160.105.1.el7", "x86_64", "centos", "3.10.0-1160.105.1.el7.x86_64", "centos", "7"},
	{"kernel-debug-debuginfo", "3.10.0", "1160.105.1.el7", "x86_64", "centos", "3.10.0-1160.105.1.el7.x86_64.debug", "centos", "7"},
	// Oracle Linux UEK: the dist tag says Oracle.
	{"kernel-uek-debuginfo", "5.15.0", "200.131.27.el8uek", "x86_64", "", "5.15.0-200.131.27.el8uek.x86_64", "ol", "8"},
	{"kernel-uek-debuginfo", "5.15.0", "206.153.7.el9uek", "aarch64", "", "5.15.0-206.153.7.el9uek.aarch64", "ol", "9"},
	{"kernel-uek-debuginfo", "4.14.35", "2047.527.2.el7uek", "x86_64", "", "4.14.35-2047.527.2.el7uek.x86_64", "ol", "7"},
	{"kernel-uek-debug-debuginfo", "5.15.0", "200.131.27.el8uek", "x86_64", "", "5.15.0-200.131.27.el8uek.x86_64+debug", "ol", "8"},
	// Amazon Linux 2 and 2023.
	{"kernel-debuginfo", "4.14.336", "257.566.amzn2", "x86_64", "", "4.14.336-257.566.amzn2.x86_64", "amzn", "2"},
	{"kernel-debuginfo", "5.10.205", "195.807.amzn2", "aarch64", "", "5.10.205-195.807.amzn2.aarch64", "amzn", "2"},
	{"kernel-debuginfo", "6.1.66", "91.160.amzn2023", "x86_64", "", "6.1.66-91.160.amzn2023.x86_64", "amzn", "2023"},
	// SLES 15 and openSUSE Leap: the rebuild counter is dropped, the
	// flavour follows.
	{"kernel-default-debuginfo", "5.14.21", "150400.24.46.1", "x86_64", "sles", "5.14.21-150400.24.46-default", "sles", "15.4"},
	{"kernel-azure-debuginfo", "5.14.21", "150500.33.29.1", "x86_64", "sles", "5.14.21-150500.33.29-azure", "sles", "15.5"},
	{"kernel-64kb-debuginfo", "5.14.21", "150500.55.39.1", "aarch64", "sles", "5.14.21-150500.55.39-64kb", "sles", "15.5"},
	{"kernel-rt-debuginfo", "5.14.21", "150500.13.27.1", "x86_64", "sles", "5.14.21-150500.13.27-rt", "sles", "15.5"},
	{"kernel-default-debuginfo", "5.3.18", "150300.59.93.1", "x86_64", "sles", "5.3.18-150300.59.93-default", "sles", "15.3"},
	{"kernel-preempt-debuginfo", "5.14.21", "150500.55.39.1", "x86_64", "opensuse-leap", "5.14.21-150500.55.39-preempt", "opensuse-leap", "15.5"},
	{"kernel-default-debuginfo", "5.3.18", "lp152.106.1", "x86_64", "", "5.3.18-lp152.106-default", "opensuse-leap", "15.2"},
	{"kernel-kvmsmall-debuginfo", "5.3.18", "lp152.106.1", "x86_64", "", "5.3.18-lp152.106-kvmsmall", "opensuse-leap", "15.2"},
}

func TestPredictRelease(t *testing.T) {
	for _, tc := range releaseCases {
		flavour, reason, ok := kernelName(tc.name)
		if !ok || reason != "" {
			t.Errorf("%s: kernelName = %q, %q, %v", tc.name, flavour, reason, ok)
			continue
		}
		suse := suseStyle(tc.distro, flavour, tc.rel)
		got := predictRelease(flavour, tc.ver, tc.rel, tc.arch, suse)
		if got != tc.release {
			t.Errorf("%s %s-%s.%s: release %q, want %q", tc.name, tc.ver, tc.rel, tc.arch, got, tc.release)
		}
		if !pkgread.ValidRelease(got) {
			t.Errorf("%s: %q is not a valid release", tc.name, got)
		}
		k := keyer{distro: tc.distro}
		d, v, err := k.key(tc.name, tc.rel, suse)
		if err != nil || d != tc.keyDistro || v != tc.keyVer {
			t.Errorf("%s %s: key %q %q %v, want %q %q", tc.name, tc.rel, d, v, err, tc.keyDistro, tc.keyVer)
		}
	}
}

func TestSuseStyleWithoutDistro(t *testing.T) {
	for _, tc := range []struct {
		flavour, rel string
		want         bool
	}{
		{"default", "150400.24.46.1", true},
		{"rt", "150500.13.27.1", true},
		{"default", "lp152.106.1", true},
		{"azure", "1.1", true},
		{"", "150400.24.46.1", false},
		{"rt", "70.13.1.rt21.83.el9_0", false},
		{"debug", "300.fc39", false},
		{"uek-debug", "200.131.27", false},
		{"debug", "1.2.custom", false},
	} {
		if got := suseStyle("", tc.flavour, tc.rel); got != tc.want {
			t.Errorf("suseStyle(%q, %q) = %v", tc.flavour, tc.rel, got)
		}
	}
	if suseStyle("rhel", "default", "150400.24.46.1") || !suseStyle("sles", "debug", "5.el9") {
		t.Error("the distro does not decide")
	}
}

func TestKeyErrors(t *testing.T) {
	for _, tc := range []struct {
		k         keyer
		rel       string
		suse      bool
		want      string
		d, v      string
		wantError bool
	}{
		// A plain .elN tag is shared by RHEL and its rebuilds.
		{k: keyer{}, rel: "362.8.1.el9_3", want: "pass --distro", wantError: true},
		{k: keyer{version: "9"}, rel: "362.8.1.el9_3", want: "pass --distro", wantError: true},
		{k: keyer{}, rel: "1.0.custom", want: "pass --distro and --version", wantError: true},
		{k: keyer{distro: "rhel"}, rel: "1.0.custom", want: "pass --version", wantError: true},
		{k: keyer{}, rel: "150400.24.46.1", suse: true, want: "does not tell SLES from openSUSE Leap", wantError: true},
		{k: keyer{distro: "sles"}, rel: "94.41.1", suse: true, want: "pass --version", wantError: true},
		{k: keyer{}, rel: "4.14.355-196.657.amzn1", want: "pass --version", wantError: true},
		{k: keyer{}, rel: "0.rc1.20231010.eln130", want: "ELN", wantError: true},
		// The caller's key wins over the CPE's and the tag's.
		{k: keyer{distro: "rhel", version: "9", cpeDistro: "centos", cpeVersion: "8"}, rel: "300.fc39", d: "rhel", v: "9"},
		{k: keyer{cpeDistro: "centos", cpeVersion: "8"}, rel: "300.fc39", d: "centos", v: "8"},
		{k: keyer{cpeDistro: "centos"}, rel: "513.el8", d: "centos", v: "8"},
		{k: keyer{distro: "rhel", cpeDistro: "centos", cpeVersion: "8"}, rel: "513.el8_9", d: "rhel", v: "8"},
		{k: keyer{version: "39"}, rel: "300.fc40", d: "fedora", v: "39"},
	} {
		d, v, err := tc.k.key("kernel-debuginfo-x", tc.rel, tc.suse)
		if tc.wantError {
			if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "kernel-debuginfo-x") {
				t.Errorf("%+v %s: err %v, want ErrMetadata naming the package and %q", tc.k, tc.rel, err, tc.want)
			}
			continue
		}
		if err != nil || d != tc.d || v != tc.v {
			t.Errorf("%+v %s: %q %q %v, want %q %q", tc.k, tc.rel, d, v, err, tc.d, tc.v)
		}
	}
}

func TestParseDistTag(t *testing.T) {
	for _, tc := range []struct {
		rel, family string
		major       int
		uek         bool
	}{
		{"300.fc39", "fc", 39, false},
		{"70.13.1.rt21.83.el9_0", "el", 9, false},
		{"513.5.1.0.1.el8_9", "el", 8, false},
		{"200.131.27.el8uek", "el", 8, true},
		{"257.566.amzn2", "amzn", 2, false},
		{"91.160.amzn2023", "amzn", 2023, false},
		{"0.rc1.eln130", "eln", 130, false},
		{"150400.24.46.1", "", 0, false},
		{"1.elrepo", "", 0, false},
		{"", "", 0, false},
	} {
		got := parseDistTag(tc.rel)
		if got.family != tc.family || got.major != tc.major || got.uek != tc.uek {
			t.Errorf("parseDistTag(%q) = %+v", tc.rel, got)
		}
	}
}

func TestKernelName(t *testing.T) {
	for _, tc := range []struct {
		name, flavour, reason string
		relevant              bool
	}{
		{"kernel-debuginfo", "", "", true},
		{"kernel-uek-debuginfo", "uek", "", true},
		{"kernel-default-debuginfo", "default", "", true},
		{"kernel-rt-debuginfo", "rt", "", true},
		{"kernel-64k-debuginfo", "64k", "", true},
		{"kernel-debug-debuginfo", "debug", "", true},
		{"kernel-azure-debuginfo", "azure", "", true},
		{"kernel-64k-debug-debuginfo", "64k-debug", "", true},
		{"kernel-uek-debug-debuginfo", "uek-debug", "", true},
		{"kernel-preempt-debuginfo", "preempt", "", true},
		{"kernel-kvmsmall-debuginfo", "kvmsmall", "", true},
		{"kernel-rt_debug-debuginfo", "rt_debug", "", true},
		{"kernel-debuginfo-common-x86_64", "", reasonCommon, true},
		{"kernel-debuginfo-common-aarch64", "", reasonCommon, true},
		{"kernel-rt-debuginfo-common-x86_64", "", reasonCommon, true},
		{"kernel-uek-debuginfo-common", "", reasonCommon, true},
		{"kernel-devel-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-64k-devel-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-tools-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-tools-libs-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-selftests-internal-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-default-base-debuginfo", "", reasonNoVmlinux, true},
		{"kernel-automotive-debuginfo", "", reasonUnknown, true},
		{"kernel--debuginfo", "", "", false},
		{"kernel-foo--debuginfo", "", reasonUnknown, true},
		{"kernel-headers", "", "", false},
		{"kernel", "", "", false},
		{"kernel-debugsource", "", "", false},
		{"kernel-default-debugsource", "", "", false},
		{"kernelshark-debuginfo", "", "", false},
		{"bash-debuginfo", "", "", false},
		{"kernel-debuginfo-extra", "", "", false},
	} {
		f, r, ok := kernelName(tc.name)
		if f != tc.flavour || r != tc.reason || ok != tc.relevant {
			t.Errorf("kernelName(%q) = %q, %q, %v; want %q, %q, %v", tc.name, f, r, ok, tc.flavour, tc.reason, tc.relevant)
		}
	}
}
