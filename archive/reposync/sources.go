package reposync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
	"github.com/btfhub/btfhub/repo/rpmmd"
)

// HostSources is the value of Sources.AptSources that names this host's
// own apt configuration.
const HostSources = "host"

// maxConfig bounds a --config file.
const maxConfig = 1 << 20

// Sources says where the repositories of a sync come from, as the
// command line gives them.
type Sources struct {
	// APT are APT repository base URLs, each read with Suites,
	// Components and Archs.
	APT                       []string
	Suites, Components, Archs []string
	// RPM are RPM-MD repository base URLs.
	RPM []string
	// AptSources is an apt sources file to read repositories from, or
	// HostSources for the host's apt configuration (under Root).
	AptSources string
	// Config is a JSON file listing repositories (see Config).
	Config string
	// Keyrings are the key files that APT and RPM metadata must be
	// signed by. apt sources use their own Signed-By keys.
	Keyrings []string
	// NoVerify turns signature checks off.
	NoVerify bool
	// Root is the root of the file system whose /etc/apt HostSources
	// reads; "" means "/".
	Root string
}

// Config is the --config file: a JSON object whose "repositories" each
// describe one repository:
//
//	{"repositories": [
//	  {"type": "apt", "url": "https://MIRROR/debian", "suites": ["bookworm", "bookworm-security"],
//	   "components": ["main"], "archs": ["amd64", "arm64"],
//	   "keyrings": ["/usr/share/keyrings/debian-archive-keyring.gpg"]},
//	  {"type": "rpm-md", "url": "https://MIRROR/fedora/39/x86_64/debug/tree",
//	   "distro": "fedora", "version": "39", "keyrings": ["RPM-GPG-KEY-fedora-39"]}
//	]}
//
// Relative keyring paths are relative to the file's directory. Unknown
// fields are an error.
type Config struct {
	Repositories []RepoConfig `json:"repositories"`
}

// RepoConfig is one repository of a Config.
type RepoConfig struct {
	// Type is "apt" or "rpm-md".
	Type string `json:"type"`
	// URL is the repository's base URL.
	URL string `json:"url"`
	// Suites, Components and Archs are an APT repository's.
	Suites     []string `json:"suites,omitempty"`
	Components []string `json:"components,omitempty"`
	Archs      []string `json:"archs,omitempty"`
	// Keyrings are the key files its metadata must be signed by.
	Keyrings []string `json:"keyrings,omitempty"`
	// Distro and Version replace what the metadata gives.
	Distro  string `json:"distro,omitempty"`
	Version string `json:"version,omitempty"`
}

// Repositories returns the repositories s describes, with their keyrings
// loaded.
func (s *Sources) Repositories() ([]Repository, error) {
	var out []Repository
	var kr *repo.Keyring
	if len(s.Keyrings) > 0 {
		var err error
		if kr, err = repo.LoadKeyring(s.Keyrings...); err != nil {
			return nil, err
		}
	}
	if (len(s.APT) > 0 || len(s.RPM) > 0) && kr == nil && !s.NoVerify {
		return nil, fmt.Errorf("--apt and --rpm need --keyring (the keys their metadata is signed by), or --no-verify")
	}
	for _, u := range s.APT {
		out = append(out, APT(&apt.Repo{URL: u, Suites: s.Suites, Components: s.Components, Archs: s.Archs, Keyring: kr, NoVerify: s.NoVerify}))
	}
	for _, u := range s.RPM {
		out = append(out, RPM(&rpmmd.Repo{URL: u, Keyring: kr, NoVerify: s.NoVerify}))
	}
	if s.AptSources != "" {
		rs, err := s.aptSources()
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if s.Config != "" {
		rs, err := s.config()
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// aptSources reads the host's apt sources, or a sources file.
func (s *Sources) aptSources() ([]Repository, error) {
	root := s.Root
	if root == "" {
		root = "/"
	}
	var srcs []apt.Source
	if s.AptSources == HostSources {
		var err error
		if srcs, err = apt.HostSources(root); err != nil {
			return nil, err
		}
	} else {
		f, err := os.Open(s.AptSources)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if srcs, err = apt.ParseSources(f, s.AptSources); err != nil {
			return nil, err
		}
	}
	var out []Repository
	for i := range srcs {
		src := &srcs[i]
		var kr *repo.Keyring
		if !s.NoVerify {
			var err error
			if kr, err = src.Keyring(root); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", src.File, src.Line, err)
			}
		}
		for _, r := range src.Repos() {
			r.Keyring, r.NoVerify = kr, s.NoVerify
			if len(s.Archs) > 0 {
				r.Archs = s.Archs
			}
			out = append(out, APT(r))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no enabled deb repositories", s.AptSources)
	}
	return out, nil
}

// config reads a --config file.
func (s *Sources) config() ([]Repository, error) {
	data, err := safefs.ReadInput(s.Config, maxConfig)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Config, err)
	}
	dir := filepath.Dir(s.Config)
	var out []Repository
	for i, rc := range c.Repositories {
		where := fmt.Sprintf("%s: repository %d", s.Config, i)
		if rc.URL == "" {
			return nil, fmt.Errorf("%s: no url", where)
		}
		var kr *repo.Keyring
		if !s.NoVerify {
			if len(rc.Keyrings) == 0 {
				return nil, fmt.Errorf("%s (%s): no keyrings (or run with --no-verify)", where, rc.URL)
			}
			paths := make([]string, len(rc.Keyrings))
			for j, k := range rc.Keyrings {
				if !filepath.IsAbs(k) {
					k = filepath.Join(dir, k)
				}
				paths[j] = k
			}
			if kr, err = repo.LoadKeyring(paths...); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		switch rc.Type {
		case "apt":
			if len(rc.Suites) == 0 {
				return nil, fmt.Errorf("%s (%s): no suites", where, rc.URL)
			}
			out = append(out, APT(&apt.Repo{URL: rc.URL, Suites: rc.Suites, Components: rc.Components, Archs: rc.Archs,
				Keyring: kr, NoVerify: s.NoVerify, Distro: rc.Distro, Version: rc.Version}))
		case "rpm-md":
			out = append(out, RPM(&rpmmd.Repo{URL: rc.URL, Keyring: kr, NoVerify: s.NoVerify, Distro: rc.Distro, Version: rc.Version}))
		default:
			return nil, fmt.Errorf("%s: type %q (want apt or rpm-md)", where, rc.Type)
		}
	}
	return out, nil
}
