package pkgtest

import (
	"sync"

	"github.com/btfhub/btfhub/btf"
)

var vmlinux = sync.OnceValues(func() ([]byte, error) {
	b := btf.NewBuilder(nil)
	ulong := b.AddInt("long unsigned int", 8, 0, 64)
	pid := b.AddTypedef("pid_t", b.AddInt("int", 4, btf.IntSigned, 32))
	b.AddStruct("task_struct", 16, []btf.Member{{Name: "__state", Type: ulong}, {Name: "pid", Type: pid, BitOffset: 64}})
	s, err := b.Spec()
	if err != nil {
		return nil, err
	}
	return s.MarshalELF(nil)
})

// Vmlinux returns a small ELF file with a .BTF section: what a kernel
// debug package's vmlinux looks like to the archive, at a size that keeps
// tests fast.
func Vmlinux() []byte {
	data, err := vmlinux()
	if err != nil {
		panic("pkgtest: building the test vmlinux: " + err.Error())
	}
	return data
}

// KernelDeb is a Debian kernel debug package, linux-image-REL-dbg, whose
// vmlinux is Vmlinux().
func KernelDeb(rel, version, arch string) DebPackage {
	name := "linux-image-" + rel + "-dbg"
	return DebPackage{Name: name, Version: version, Arch: arch, Data: Deb(name, version, arch, []File{
		{Name: "./usr/lib/debug/boot/vmlinux-" + rel, Data: Vmlinux()},
		{Name: "./usr/share/doc/" + name + "/copyright", Data: []byte("GPL-2\n")},
	})}
}
