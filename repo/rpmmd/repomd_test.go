package rpmmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
)

func TestParseRepomdSamples(t *testing.T) {
	for _, tc := range []struct {
		file            string
		suffix, sumType string
		size, openSize  int64
		cpes            []string
		distro, version string
	}{
		{"repomd-fedora39.xml", "-primary.xml.zst", "sha256", 4120931, 38216412,
			[]string{"cpe:/o:fedoraproject:fedora:39"}, "fedora", "39"},
		{"repomd-ol8-uek.xml", "-primary.xml.gz", "sha256", 918273, 9128371, nil, "", ""},
		{"repomd-sle15sp4.xml", "-primary.xml.xz", "sha512", 2718281, 31415926,
			[]string{"cpe:/o:suse:sle-module-basesystem:15:sp4"}, "sles", "15.4"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			md, err := parseRepomd(data)
			if err != nil {
				t.Fatal(err)
			}
			p := md.primary
			if !strings.HasPrefix(p.href, "repodata/") || !strings.HasSuffix(p.href, tc.suffix) {
				t.Errorf("href %q, want repodata/...%s", p.href, tc.suffix)
			}
			if p.sum.typ != tc.sumType || p.openSum.typ != tc.sumType {
				t.Errorf("checksum types %q %q, want %q", p.sum.typ, p.openSum.typ, tc.sumType)
			}
			if p.size != tc.size || p.openSize != tc.openSize {
				t.Errorf("sizes %d %d, want %d %d", p.size, p.openSize, tc.size, tc.openSize)
			}
			if strings.Join(md.cpes, " ") != strings.Join(tc.cpes, " ") {
				t.Errorf("cpes %q, want %q", md.cpes, tc.cpes)
			}
			k := newKeyer(&Repo{}, md.cpes)
			if k.cpeDistro != tc.distro || k.cpeVersion != tc.version {
				t.Errorf("key %s/%s, want %s/%s", k.cpeDistro, k.cpeVersion, tc.distro, tc.version)
			}
		})
	}
}

func TestParseRepomdErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "repomd-fedora39.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	sum := s[strings.Index(s, `<checksum type="sha256">`)+24:]
	sum = sum[:64]
	for _, tc := range []struct {
		name, data, want string
	}{
		{"weak sha1", strings.Replace(s, `<checksum type="sha256">`+sum, `<checksum type="sha1">`+sum[:40], 1), "weak checksum"},
		{"weak sha", strings.Replace(s, `<checksum type="sha256">`+sum, `<checksum type="sha">`+sum[:40], 1), "weak checksum"},
		{"weak md5", strings.Replace(s, `<checksum type="sha256">`+sum, `<checksum type="md5">`+sum[:32], 1), "weak checksum"},
		{"unknown type", strings.Replace(s, `<checksum type="sha256">`+sum, `<checksum type="crc32">`+sum, 1), "unknown checksum"},
		{"short sum", strings.Replace(s, sum, sum[:60], 1), "not 64 hex digits"},
		{"not hex", strings.Replace(s, sum, "zz"+sum[2:], 1), "not hex"},
		{"no checksum", strings.Replace(s, `<checksum type="sha256">`+sum+`</checksum>`, "", 1), "no <checksum>"},
		{"absolute href", strings.Replace(s, `href="repodata/`+sum, `href="/etc/`+sum, 1), "not a relative path"},
		{"url href", strings.Replace(s, `href="repodata/`+sum, `href="http://evil.invalid/`+sum, 1), "not a relative path"},
		{"dotdot href", strings.Replace(s, `href="repodata/`+sum, `href="repodata/../../`+sum, 1), "climbs out"},
		{"encoded dotdot", strings.Replace(s, `href="repodata/`+sum, `href="repodata/%2e%2e/`+sum, 1), "encodes"},
		{"query href", strings.Replace(s, `href="repodata/`+sum, `href="repodata/?x=`+sum, 1), "forbidden character"},
		{"bad size", strings.Replace(s, "<size>4120931</size>", "<size>-1</size>", 1), "not a size"},
		{"bad open-size", strings.Replace(s, "<open-size>38216412</open-size>", "<open-size>1e6</open-size>", 1), "not a size"},
		{"no primary", strings.Replace(s, `<data type="primary">`, `<data type="primary_old">`, 1), "no <data type=\"primary\">"},
		{"two primaries", strings.Replace(s, `<data type="filelists">`, `<data type="primary">`, 1), "more than one"},
		{"wrong root", strings.Replace(strings.Replace(s, "<repomd ", "<metadata ", 1), "</repomd>", "</metadata>", 1), "not <repomd>"},
		{"wrong namespace", strings.Replace(s, "metadata/repo\"", "metadata/other\"", 1), "not <repomd>"},
		{"not xml", "PK\x03\x04", "syntax error"},
		{"empty", "", "EOF"},
		{"truncated", s[:len(s)/2], "unexpected EOF"},
		{"entity", strings.Replace(s, "<revision>", "<revision>&xxe;", 1), "entity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRepomd([]byte(tc.data))
			if !errors.Is(err, repo.ErrMetadata) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrMetadata with %q", err, tc.want)
			}
		})
	}
}

func TestParseCPE(t *testing.T) {
	for _, tc := range []struct {
		cpe, distro, version string
		ok                   bool
	}{
		{"cpe:/o:fedoraproject:fedora:39", "fedora", "39", true},
		{"cpe:/o:redhat:enterprise_linux:9::baseos", "rhel", "9", true},
		{"cpe:/o:redhat:enterprise_linux:8.6", "rhel", "8", true},
		{"cpe:/o:centos:centos:8", "centos", "8", true},
		{"cpe:/o:oracle:linux:8:9:server", "ol", "8", true},
		{"cpe:/o:amazon:amazon_linux:2023", "amzn", "2023", true},
		{"cpe:/o:almalinux:almalinux:9::baseos", "almalinux", "9", true},
		{"cpe:/o:rocky:rocky:8:GA", "rocky", "8", true},
		{"cpe:/o:suse:sles:15:sp4", "sles", "15.4", true},
		{"cpe:/o:suse:sle-module-basesystem:15:sp5", "sles", "15.5", true},
		{"cpe:/o:opensuse:leap:15.4", "opensuse-leap", "15.4", true},
		{"cpe:2.3:o:fedoraproject:fedora:38:*:*:*:*:*:*:*", "fedora", "38", true},
		{"cpe:/o:fedoraproject:fedora", "fedora", "", true},
		{"cpe:/o:fedoraproject:fedora:../../x", "fedora", "", true},
		{"cpe:/a:fedoraproject:fedora:39", "", "", false},
		{"cpe:/o:debian:debian_linux:12", "", "", false},
		{"fedora 39", "", "", false},
	} {
		d, v, ok := parseCPE(tc.cpe)
		if d != tc.distro || v != tc.version || ok != tc.ok {
			t.Errorf("parseCPE(%q) = %q, %q, %v; want %q, %q, %v", tc.cpe, d, v, ok, tc.distro, tc.version, tc.ok)
		}
	}
}
