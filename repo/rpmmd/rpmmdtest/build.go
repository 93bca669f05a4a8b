// Package rpmmdtest builds RPM-MD repositories for tests with the real
// tools: rpmbuild (Debian package rpm) packs the RPMs and createrepo_c
// (Debian package createrepo-c) writes repodata/. Tests that use it are
// skipped when a tool is missing, unless the environment variable CI is
// set, when they fail.
package rpmmdtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// DefaultPayload is the rpmbuild payload compression BuildRPM uses when
// RPM.Payload is empty: zstd at level 1, which packs a 50 MB file in
// about a second, where xz takes ten.
const DefaultPayload = "w1.zstdio"

// RPM is one package to build.
type RPM struct {
	// Name, Version, Release and Arch are the package's
	// ("kernel-debuginfo", "5.14.0", "70.13.1.el9_0", "x86_64"). Arch is
	// the build target: x86_64 and aarch64 both build on any host, as
	// the package holds no code to compile.
	Name, Version, Release, Arch string
	// Files maps a path in the package
	// ("/usr/lib/debug/lib/modules/RELEASE/vmlinux") to the file on disk
	// whose content it gets. Paths are absolute and may hold letters,
	// digits and "._+~@=,-" between their slashes.
	Files map[string]string
	// Payload is rpmbuild's _binary_payload ("w2.xzdio", "w9.gzdio");
	// empty is DefaultPayload.
	Payload string
}

// Tools are the commands the package runs, with the Debian package that
// provides each.
var Tools = map[string]string{"rpmbuild": "rpm", "createrepo_c": "createrepo-c"}

// RequireTools skips t, or fails it when the environment variable CI is
// set, if rpmbuild or createrepo_c is missing.
func RequireTools(t testing.TB) {
	t.Helper()
	names := make([]string, 0, len(Tools))
	for name := range Tools {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			msg := fmt.Sprintf("%s not found (apt-get install %s, or scripts/install-deps.sh)", name, Tools[name])
			if os.Getenv("CI") == "" {
				t.Skip(msg)
			}
			t.Fatal(msg)
		}
	}
}

// BuildRepo builds pkgs into dir/NAME-VERSION-RELEASE.ARCH.rpm and runs
// createrepo_c on dir, which writes dir/repodata/ with xz-compressed
// metadata and no signature (see SignRepo).
func BuildRepo(t testing.TB, dir string, pkgs []RPM) {
	t.Helper()
	RequireTools(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		BuildRPM(t, dir, p)
	}
	CreateRepo(t, dir)
}

// CreateRepo runs createrepo_c on dir, replacing any dir/repodata/.
func CreateRepo(t testing.TB, dir string) {
	t.Helper()
	RequireTools(t)
	run(t, "createrepo_c", "--quiet", "--no-database", "--general-compress-type=xz", dir)
}

// BuildRPM builds p with rpmbuild into dir and returns the RPM's path.
func BuildRPM(t testing.TB, dir string, p RPM) string {
	t.Helper()
	RequireTools(t)
	if err := checkRPM(p); err != nil {
		t.Fatalf("rpmmdtest: %s: %v", p.Name, err)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := os.MkdirTemp("", "rpmmdtest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	if !safePath(top) || !safePath(dir) {
		t.Fatalf("rpmmdtest: directory %q or %q has characters rpmbuild would misread", top, dir)
	}
	stage := filepath.Join(top, "stage")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, 0, len(p.Files))
	for path := range p.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	var install, files strings.Builder
	for i, path := range paths {
		src, err := filepath.Abs(p.Files[path])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(src); err != nil {
			t.Fatalf("rpmmdtest: %s: %v", p.Name, err)
		}
		// The spec names the sources by a link of a safe name, so that
		// no source path needs quoting for the shell or rpm's macros.
		link := filepath.Join(stage, fmt.Sprint(i))
		if err := os.Symlink(src, link); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&install, "install -D -m 0644 %s %%{buildroot}%s\n", link, path)
		fmt.Fprintf(&files, "%s\n", path)
	}
	// rpmbuild refuses a BuildArch the host cannot run; --target sets
	// the arch of the package all the same.
	buildArch := ""
	if p.Arch == hostArch() {
		buildArch = "BuildArch: " + p.Arch + "\n"
	}
	spec := fmt.Sprintf(specTemplate, p.Name, p.Version, p.Release, buildArch, install.String(), files.String())
	specPath := filepath.Join(top, p.Name+".spec")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	payload := p.Payload
	if payload == "" {
		payload = DefaultPayload
	}
	run(t, "rpmbuild", "-bb", "--quiet", "--target", p.Arch,
		"--define", "_topdir "+top,
		"--define", "_tmppath "+filepath.Join(top, "tmp"),
		"--define", "_rpmdir "+dir,
		"--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
		"--define", "_binary_payload "+payload,
		specPath)
	out := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.%s.rpm", p.Name, p.Version, p.Release, p.Arch))
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("rpmmdtest: rpmbuild wrote no %s: %v", out, err)
	}
	return out
}

// specTemplate is the spec of a package that only installs files: no
// build, no debuginfo extraction, no stripping or other post-install
// processing, no build-id links, no automatic dependencies.
const specTemplate = `%%global debug_package %%{nil}
%%define __os_install_post %%{nil}
%%define _build_id_links none
Name: %s
Version: %s
Release: %s
Summary: btfhub test package
License: GPL-2.0-only
%sAutoReqProv: no

%%description
A package built by btfhub's tests.

%%install
%s
%%files
%s`

func checkRPM(p RPM) error {
	for _, f := range []struct{ what, s, extra string }{
		{"name", p.Name, "-+"},
		{"version", p.Version, "+~"},
		{"release", p.Release, "+~"},
		{"arch", p.Arch, ""},
	} {
		if f.s == "" {
			return fmt.Errorf("no %s", f.what)
		}
		for _, c := range f.s {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || strings.ContainsRune(f.extra, c)) {
				return fmt.Errorf("%s %q: character %q", f.what, f.s, c)
			}
		}
	}
	if len(p.Files) == 0 {
		return fmt.Errorf("no files")
	}
	for path := range p.Files {
		if !strings.HasPrefix(path, "/") || filepath.Clean(path) != path || path == "/" || !safePath(path) {
			return fmt.Errorf("path %q in the package is not a clean absolute path of letters, digits and \"._+~@=,-\"", path)
		}
	}
	return nil
}

// safePath tells whether a path needs no quoting in a spec file.
func safePath(path string) bool {
	for _, c := range path {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._+~@=,-", c)) {
			return false
		}
	}
	return true
}

// hostArch is the RPM name of the host's arch.
func hostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return runtime.GOARCH
}

// run runs a command, failing t with its output when it fails.
func run(t testing.TB, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmmdtest: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
