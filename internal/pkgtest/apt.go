package pkgtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
)

// DebPackage is a package of an APT repository.
type DebPackage struct {
	// Name, Version and Arch are the package's (Arch is Debian's:
	// amd64, arm64).
	Name, Version, Arch string
	// Data is the .deb file, or nil when Path names it.
	Data []byte
	// Path is the .deb file on disk, when Data is nil.
	Path string
}

// Suite is a suite of an APT repository: its Release fields and its
// packages, all in component main.
type Suite struct {
	// Name is the directory under dists/ ("bookworm").
	Name string
	// Origin, Version and Codename are the Release's fields; an empty
	// one is left out.
	Origin, Version, Codename string
	// Packages are the suite's packages.
	Packages []DebPackage
}

// Key is an OpenPGP key made for a test.
type Key struct {
	entity *openpgp.Entity
}

// NewKey makes a key. It takes a few milliseconds (ed25519 by default in
// go-crypto's newer versions, RSA otherwise).
func NewKey(name string) (*Key, error) {
	e, err := openpgp.NewEntity(name, "test", name+"@example.org", nil)
	if err != nil {
		return nil, err
	}
	return &Key{e}, nil
}

// Public returns the key's public part, binary, as a keyring file holds
// it.
func (k *Key) Public() []byte {
	var buf bytes.Buffer
	k.entity.Serialize(&buf)
	return buf.Bytes()
}

// Clearsign signs text as an InRelease file is signed.
func (k *Key) Clearsign(text []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, k.entity.PrivateKey, nil)
	if err != nil {
		return nil, err
	}
	w.Write(text)
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Repo is an APT repository's files: Files by path, and Paths, the
// package files that are on disk, by path in the repository.
type Repo struct {
	Files map[string][]byte
	Paths map[string]string
}

// APTRepo returns the files of an APT repository holding suites:
// pool/main/l/linux/<name>_<version>_<arch>.deb,
// dists/<suite>/main/binary-<arch>/Packages and Packages.gz, and
// dists/<suite>/Release, with InRelease signed by key (unsigned Release
// only when key is nil).
func APTRepo(suites []Suite, key *Key) (*Repo, error) {
	out := &Repo{Files: map[string][]byte{}, Paths: map[string]string{}}
	files := out.Files
	for _, s := range suites {
		byArch := map[string]*bytes.Buffer{}
		for _, p := range s.Packages {
			pool := fmt.Sprintf("pool/main/l/linux/%s_%s_%s.deb", p.Name, p.Version, p.Arch)
			size, sum, err := digest(&p)
			if err != nil {
				return nil, err
			}
			if p.Data != nil {
				files[pool] = p.Data
			} else {
				out.Paths[pool] = p.Path
			}
			b := byArch[p.Arch]
			if b == nil {
				b = &bytes.Buffer{}
				byArch[p.Arch] = b
			}
			fmt.Fprintf(b, "Package: %s\nVersion: %s\nArchitecture: %s\nSection: debug\nFilename: %s\nSize: %d\nSHA256: %s\nDescription: test package\n\n",
				p.Name, p.Version, p.Arch, pool, size, sum)
		}
		var archs []string
		for a := range byArch {
			archs = append(archs, a)
		}
		sort.Strings(archs)
		var rel strings.Builder
		for _, f := range [][2]string{{"Origin", s.Origin}, {"Label", s.Origin}, {"Suite", s.Name}, {"Version", s.Version}, {"Codename", s.Codename}} {
			if f[1] != "" {
				fmt.Fprintf(&rel, "%s: %s\n", f[0], f[1])
			}
		}
		fmt.Fprintf(&rel, "Architectures: %s\nComponents: main\nSHA256:\n", strings.Join(archs, " "))
		for _, a := range archs {
			plain := byArch[a].Bytes()
			for _, f := range []struct {
				name string
				data []byte
			}{{"Packages", plain}, {"Packages.gz", gzipBytes(plain)}} {
				name, data := f.name, f.data
				rp := path.Join("main", "binary-"+a, name)
				files[path.Join("dists", s.Name, rp)] = data
				sum := sha256.Sum256(data)
				fmt.Fprintf(&rel, " %s %d %s\n", hex.EncodeToString(sum[:]), len(data), rp)
			}
		}
		release := []byte(rel.String())
		files[path.Join("dists", s.Name, "Release")] = release
		if key != nil {
			in, err := key.Clearsign(release)
			if err != nil {
				return nil, err
			}
			files[path.Join("dists", s.Name, "InRelease")] = in
		}
	}
	return out, nil
}

// digest returns a package file's size and SHA-256.
func digest(p *DebPackage) (int64, string, error) {
	h := sha256.New()
	var n int64
	if p.Data != nil {
		h.Write(p.Data)
		n = int64(len(p.Data))
	} else {
		f, err := os.Open(p.Path)
		if err != nil {
			return 0, "", err
		}
		defer f.Close()
		if n, err = io.Copy(h, f); err != nil {
			return 0, "", err
		}
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
