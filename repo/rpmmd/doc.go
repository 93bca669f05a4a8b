// Package rpmmd finds the kernel debug packages of an RPM-MD repository
// (the repodata/ layout that createrepo writes and that dnf, yum and
// zypper read), for Fedora, RHEL and its rebuilds, Oracle Linux, Amazon
// Linux and SUSE.
//
// Discover reads repodata/repomd.xml, checks its detached OpenPGP
// signature (repomd.xml.asc) against the Repo's keyring before anything
// else is fetched, then fetches the primary metadata the signed
// repomd.xml names, checks its size and SHA-256 or SHA-512, decompresses
// it (gzip, xz, zstd, bzip2 or plain) and reads it as a stream of XML
// tokens, materialising only the packages whose name is that of a kernel
// debuginfo package.
//
// A kernel debuginfo package is kernel-debuginfo or
// kernel-FLAVOUR-debuginfo, where each dash-separated part of FLAVOUR is
// a known kernel flavour (rt, debug, 64k, uek, default, azure, ...).
// kernel-debuginfo-common-ARCH (debug sources), kernel-tools-debuginfo,
// kernel-devel-debuginfo and the like hold no vmlinux: they are listed in
// Index.Skipped with the reason.
//
// Each package gets the archive key its kernel belongs under. The kernel
// release (uname -r) is predicted from the package's name, version,
// release and arch; the package reader later reads the real one from
// the vmlinux path, the prediction serves matching and dry runs:
//
//   - SUSE (kernel-FLAVOUR-debuginfo of a SUSE distro, or with a
//     release such as 150400.24.46.1 or lp152.106.1 that has no dist
//     tag): "VERSION-RELEASE-FLAVOUR" without the release's last
//     dot-separated part: kernel-default-debuginfo 5.14.21-150400.24.46.1
//     is "5.14.21-150400.24.46-default".
//   - Everything else: "VERSION-RELEASE.ARCH", then the flavour less
//     "uek", with a separator the dist tag decides: "+FLAVOUR" for .fcNN,
//     .amznN, .elN with N >= 9 and no tag (5.14.0-70.13.1.rt21.83.el9_0.x86_64+rt);
//     on .el8 the realtime kernel is its own build and "rt" is left out
//     (4.18.0-513.5.1.rt7.307.el8_9.x86_64, and +debug for its debug
//     flavour); on .el7 and older the same with "." (3.10.0-1160.el7.x86_64.debug).
//
// The distribution and its version come from Repo.Distro and Repo.Version
// when given, else from the repository's <tags><distro cpeid=...>, else
// from the package release's dist tag (.fc39, .amzn2023, .el9uek) or,
// for SUSE, from the release's first part (150400 is 15.4). Versions are
// major versions ("9"), except SUSE's, which name the service pack as
// os-release does ("15.4"). A plain .elN tag is shared by RHEL, CentOS,
// AlmaLinux and Rocky, so it is an error unless the caller names the
// distribution; so is a SUSE release, shared by SLES and openSUSE Leap.
package rpmmd
