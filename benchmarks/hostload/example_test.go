// Package hostload shows the BTF that btfhub chooses for a host being
// loaded by cilium/ebpf as the kernel's types (KernelTypes), as a BPF
// loader on a kernel without /sys/kernel/btf/vmlinux would use it.
package hostload

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

func Example() {
	tmp, _ := os.MkdirTemp("", "hostload")
	defer os.RemoveAll(tmp)

	// An archive with one kernel, and a simulated Debian 12 host running
	// it, without sysfs BTF.
	kernel := filepath.Join(tmp, "6.1.0-53-cloud-amd64.btf")
	data, err := testutil.ReadXZ(filepath.Join(testutil.RepoRoot(), "testdata", "kernels", "6.1.0-53-cloud-amd64.btf.xz"))
	if err != nil {
		panic(err)
	}
	os.WriteFile(kernel, data, 0o644)
	tree := filepath.Join(tmp, "archive")
	if _, err := archive.Add(tree, []string{kernel}, &archive.AddOptions{Distro: "debian", Version: "12", Arch: "amd64"}); err != nil {
		panic(err)
	}
	osRelease := filepath.Join(tmp, "os-release")
	os.WriteFile(osRelease, []byte("ID=debian\nVERSION_ID=\"12\"\n"), 0o644)

	h, err := archive.ForHost(&archive.HostOptions{
		SysfsBTF: filepath.Join(tmp, "no-sysfs"),
		Archive:  tree,
		Host:     index.HostSources{OSRelease: osRelease, Release: "6.1.0-53-cloud-amd64", Machine: "x86_64"},
	})
	if err != nil {
		panic(err)
	}
	out := filepath.Join(tmp, "vmlinux.btf")
	os.WriteFile(out, h.Raw, 0o644)

	// What a cilium/ebpf loader does with it.
	spec, err := btf.LoadSpec(out)
	if err != nil {
		panic(err)
	}
	opts := ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: spec}}
	var task *btf.Struct
	if err := opts.Programs.KernelTypes.TypeByName("task_struct", &task); err != nil {
		panic(err)
	}
	fmt.Println(h.Entry.Key())
	fmt.Println(task.Name, len(task.Members) > 100)
	// Output:
	// debian/12/x86_64/6.1.0-53-cloud-amd64
	// task_struct true
}
