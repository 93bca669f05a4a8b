package archive

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/safefs"
)

// DefaultSysfsBTF is where a kernel built with CONFIG_DEBUG_INFO_BTF
// exposes its own BTF.
const DefaultSysfsBTF = "/sys/kernel/btf/vmlinux"

// HostOptions say where ForHost looks.
type HostOptions struct {
	// SysfsBTF is the kernel's own BTF; "" means DefaultSysfsBTF.
	SysfsBTF string
	// Archive is a tree or pack to look in when the kernel has no BTF of
	// its own; "" means none.
	Archive string
	// Host gives the os-release file and uname values; empty fields mean
	// the running system's.
	Host index.HostSources
}

// HostBTF is the BTF chosen for a host.
type HostBTF struct {
	// Raw is the raw BTF.
	Raw []byte
	// From is the file it came from: the sysfs path, or the archive
	// followed by the entry's path.
	From string
	// Entry is the archive entry, when the BTF came from an archive.
	Entry *index.Entry
	// Reason says why this BTF was chosen.
	Reason string
}

// ForHost finds the BTF that this host's BPF loader should use: the
// kernel's own BTF (/sys/kernel/btf/vmlinux) when it has one; otherwise
// the archive's entry for the host's os-release and uname (see
// index.Lookup). The raw BTF is checked to decode.
func ForHost(opts *HostOptions) (*HostBTF, error) {
	var opt HostOptions
	if opts != nil {
		opt = *opts
	}
	sysfs := opt.SysfsBTF
	if sysfs == "" {
		sysfs = DefaultSysfsBTF
	}
	raw, err := readSysfsBTF(sysfs)
	switch {
	case err == nil:
		if _, err := btf.Decode(raw, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", sysfs, err)
		}
		return &HostBTF{Raw: raw, From: sysfs, Reason: sysfs + " exists: the running kernel describes itself"}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if opt.Archive == "" {
		return nil, fmt.Errorf("%s does not exist and no archive was given to look in", sysfs)
	}
	h, err := index.ReadHost(opt.Host)
	if err != nil {
		return nil, err
	}
	st, err := Open(opt.Archive)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	entries, err := st.Entries()
	if err != nil {
		return nil, err
	}
	c, err := index.Lookup(entries, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.Archive, err)
	}
	if raw, err = st.ReadBTF(c.Entry.Key()); err != nil {
		return nil, err
	}
	if _, err := btf.Decode(raw, nil); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", opt.Archive, c.Entry.Key().Path(), err)
	}
	return &HostBTF{
		Raw: raw, From: opt.Archive + ": " + c.Entry.Key().Path(), Entry: &c.Entry,
		Reason: sysfs + " does not exist; chose " + c.Reason,
	}, nil
}

// readSysfsBTF reads the kernel's raw BTF from path, which must be a
// regular file (not a link, a FIFO or a device): its header is checked
// from the first bytes and the size it declares is read, at most
// DefaultMaxBTF bytes.
func readSysfsBTF(path string) ([]byte, error) {
	f, _, err := safefs.OpenFile(path, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := btf.ReadRaw(f, DefaultMaxBTF)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return raw, nil
}
