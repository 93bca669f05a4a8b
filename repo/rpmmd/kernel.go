package rpmmd

import "strings"

// flavourParts are the parts of a kernel flavour, as package names
// join them with dashes (kernel-64k-debug-debuginfo): those of Fedora
// and RHEL (rt, debug, 64k, 16k, zfcpdump, PAE, lpae), Oracle's uek, and
// SUSE's (default, azure, preempt, kvmsmall, 64kb, rt_debug, ...).
var flavourParts = map[string]bool{
	"rt": true, "debug": true, "64k": true, "16k": true, "4k": true,
	"zfcpdump": true, "PAE": true, "PAEdebug": true, "lpae": true,
	"uek":     true,
	"default": true, "azure": true, "preempt": true, "kvmsmall": true,
	"vanilla": true, "rt_debug": true, "64kb": true, "pae": true,
	"xen": true, "ec2": true, "trace": true, "desktop": true,
}

// noVmlinuxParts are name parts of debuginfo packages that are known to
// hold debug information of something other than the kernel image:
// tools, libraries, module subsets, headers, self-tests.
var noVmlinuxParts = map[string]bool{
	"tools": true, "libs": true, "devel": true, "headers": true,
	"selftests": true, "internal": true, "modules": true, "extra": true,
	"core": true, "cross": true, "perf": true, "bpftool": true,
	"python3": true, "rtla": true, "rv": true, "uki": true, "virt": true,
	"abi": true, "stablelists": true, "doc": true, "docs": true,
	"source": true, "syms": true, "obs": true, "build": true, "qa": true,
	"livepatch": true, "base": true, "optional": true, "common": true,
	"ipaclones": true, "partner": true, "kgraft": true, "debugsource": true,
}

// Reasons given in Index.Skipped.
const (
	reasonCommon    = "debug sources only, holds no vmlinux"
	reasonNoVmlinux = "holds no vmlinux"
	reasonUnknown   = "unknown kernel flavour, not known to hold a vmlinux"
)

// kernelName tells whether an RPM name is that of a kernel debuginfo
// package, and how: relevant is false for names that have nothing to do
// with kernel debug information; for the others, either reason is empty
// and flavour is the package's kernel flavour ("" for kernel-debuginfo,
// "64k-debug" for kernel-64k-debug-debuginfo), or reason says why the
// package holds no vmlinux.
func kernelName(name string) (flavour, reason string, relevant bool) {
	const prefix, suffix = "kernel-", "-debuginfo"
	if !strings.HasPrefix(name, prefix) || !strings.Contains(name, suffix) {
		return "", "", false
	}
	if name == "kernel-debuginfo" {
		return "", "", true
	}
	if strings.Contains(name, "-debuginfo-common") {
		return "", reasonCommon, true
	}
	if !strings.HasSuffix(name, suffix) || len(name) <= len(prefix)+len(suffix) {
		return "", "", false
	}
	mid := name[len(prefix) : len(name)-len(suffix)]
	parts := strings.Split(mid, "-")
	for _, part := range parts {
		if noVmlinuxParts[part] {
			return "", reasonNoVmlinux, true
		}
	}
	for _, part := range parts {
		if !flavourParts[part] {
			return "", reasonUnknown, true
		}
	}
	return mid, "", true
}

// wantName is the filter parsePrimary materialises packages by: the
// names kernelName finds relevant.
func wantName(name string) bool {
	_, _, ok := kernelName(name)
	return ok
}

// kernelArch maps an RPM arch to the archive's arch directory, or ""
// for arches the archive does not keep.
func kernelArch(arch string) string {
	switch arch {
	case "x86_64":
		return "x86_64"
	case "aarch64":
		return "arm64"
	}
	return ""
}
