package apt

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func FuzzParseRelease(f *testing.F) {
	f.Add([]byte(realRelease))
	f.Add([]byte("SHA256:\n " + strings.Repeat("a", 64) + " 0 main/binary-amd64/Packages\n"))
	f.Add([]byte("Date: Mon, 2 Jan 2006 15:04:05 UTC\nValid-Until: Mon, 02 Jan 2006 15:04:05 +0000\nSHA256:\n"))
	f.Add([]byte("A: 1\n\nB: 2\n"))
	f.Add([]byte(" x\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rel, err := parseRelease(bytes.NewReader(data), "Release")
		if err != nil {
			return
		}
		if len(rel.files) > len(data)/64 {
			t.Fatalf("%d entries from %d bytes", len(rel.files), len(data))
		}
		for p, e := range rel.files {
			if p == "" || e.size < 0 || len(e.sha256) != 64 || strings.ToLower(e.sha256) != e.sha256 {
				t.Fatalf("bad entry %q %+v", p, e)
			}
		}
		listedIndexes(rel, "main", "amd64")
	})
}

func FuzzParsePackages(f *testing.F) {
	const name = "linux-image-6.1.0-47-amd64-dbg"
	f.Add([]byte(realPackages))
	f.Add([]byte(stanza(name, "1", "amd64") + stanza("linux-image-amd64-dbg", "1", "amd64")))
	f.Add([]byte(stanza(name, "1", "amd64", "Filename: ../x")))
	f.Add([]byte(stanza("linux-image-unsigned-6.8.0-31-generic-dbgsym", "6.8.0-31.31", "arm64", "SHA256:")))
	f.Add([]byte("Package: " + name + "\n continuation\n\n#c\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const base = "http://repo.invalid/d"
		n := 0
		err := parsePackages(context.Background(), bytes.NewReader(data), "Packages", base, func(c candidate) {
			n++
			if p := c.pkg; p != nil {
				if !strings.HasPrefix(p.URL, base+"/") || strings.Contains(p.URL, "/../") || p.Size <= 0 || len(p.SHA256) != 64 || !isKernelRelease(p.Release) {
					t.Fatalf("bad package %+v", p)
				}
			}
		})
		_ = err
		if n > len(data)/8 {
			t.Fatalf("%d candidates from %d bytes", n, len(data))
		}
	})
}

func FuzzParseSources(f *testing.F) {
	f.Add([]byte(oneLineSample), false)
	f.Add([]byte(deb822Sample), true)
	f.Add([]byte("deb [arch=amd64 signed-by=/a,/b] http://x s main\n"), false)
	f.Add([]byte("Types: deb\nURIs: http://x\nSuites: s\nComponents: c\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n AAAA\n -----END PGP PUBLIC KEY BLOCK-----\n"), true)
	f.Add([]byte("deb [x"), false)
	f.Fuzz(func(t *testing.T, data []byte, deb822 bool) {
		name := "x.list"
		if deb822 {
			name = "x.sources"
		}
		ss, err := ParseSources(bytes.NewReader(data), name)
		if err != nil {
			return
		}
		if len(ss) > len(data)/8 {
			t.Fatalf("%d entries from %d bytes", len(ss), len(data))
		}
		for i := range ss {
			s := &ss[i]
			if len(s.Types) == 0 || len(s.URIs) == 0 || len(s.Suites) == 0 {
				t.Fatalf("incomplete entry %+v", s)
			}
			s.Repos()
		}
	})
}
