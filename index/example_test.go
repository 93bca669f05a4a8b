package index_test

import (
	"fmt"

	"github.com/btfhub/btfhub/index"
)

// Choose the archive entry for a host whose os-release names the version
// by number and whose uname names the machine as aarch64, as a loader does
// before it reads the kernel's BTF from an archive.
func ExampleLookup() {
	entries := []index.Entry{
		{Distro: "debian", Version: "bullseye", Arch: "arm64", Release: "5.10.0-30-arm64", XXH64: "0123456789abcdef", Encoder: "raw"},
		{Distro: "debian", Version: "bullseye", Arch: "x86_64", Release: "5.10.0-30-amd64", XXH64: "fedcba9876543210", Encoder: "raw"},
	}
	host := index.Host{ID: "debian", VersionID: "11", VersionCodename: "bullseye", Release: "5.10.0-30-arm64", Machine: "aarch64"}
	c, err := index.Lookup(entries, host)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Entry.Key().Path())
	fmt.Println(c.Reason)

	host.Release = "5.10.0-31-arm64"
	_, err = index.Lookup(entries, host)
	fmt.Println(err)
	// Output:
	// debian/bullseye/arm64/5.10.0-30-arm64.btf.tar.xz
	// debian/bullseye/arm64/5.10.0-30-arm64: distro "debian", version "bullseye" (VERSION_CODENAME "bullseye"), machine aarch64 is arch arm64, release "5.10.0-30-arm64"
	// no BTF for this host in the archive: no entry for release "5.10.0-31-arm64" and machine aarch64 is arch arm64 (host debian 11)
}
