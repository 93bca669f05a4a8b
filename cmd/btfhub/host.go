package main

import (
	"fmt"
	"os"

	"github.com/btfhub/btfhub/archive"
	"github.com/spf13/cobra"
)

func newHostCommand() *cobra.Command {
	var opt archive.HostOptions
	var out, to string
	cmd := &cobra.Command{
		Use:   "host [--archive DIR|PACK] [-o OUT]",
		Short: "Find the BTF this host's BPF loader should use",
		Long: `host chooses the BTF for this machine, says which and why, and with -o
writes it for a loader (libbpf's btf_custom_path, cilium/ebpf's
KernelTypes): raw BTF, or an ELF file with --to elf.

It uses /sys/kernel/btf/vmlinux when present. Otherwise it looks in the
archive for this host: os-release's ID and VERSION_ID (tolerating "7.9"
against a directory "7", "11" against "bullseye"), uname's release and
machine (aarch64 is arm64); failing that, the release in any distro.

For tests and for choosing on behalf of another machine, the facts can be
given by flags or by the environment variables BTFHUB_SYSFS_BTF,
BTFHUB_OS_RELEASE, BTFHUB_UNAME_RELEASE and BTFHUB_UNAME_MACHINE.`,
		Example: `  btfhub host --archive btfhub.pack -o /tmp/vmlinux.btf`,
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to != "raw" && to != "elf" {
				return usagef("host: unknown --to %q (want raw or elf)", to)
			}
			h, err := archive.ForHost(&opt)
			if err != nil {
				return err
			}
			msg := cmd.OutOrStdout()
			if out == "-" {
				msg = cmd.ErrOrStderr()
			}
			fmt.Fprintf(msg, "%s\n%s\n", h.From, h.Reason)
			if out == "" {
				return nil
			}
			return writeBTF(cmd.Context(), out, to, h.Raw)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Archive, "archive", "", "tree or pack to look in")
	f.StringVarP(&out, "output", "o", "", "write the BTF here (- for standard output)")
	f.StringVar(&to, "to", "raw", "output format: raw or elf")
	f.StringVar(&opt.SysfsBTF, "sysfs-btf", os.Getenv("BTFHUB_SYSFS_BTF"), "the kernel's own BTF (default /sys/kernel/btf/vmlinux)")
	f.StringVar(&opt.Host.OSRelease, "os-release", os.Getenv("BTFHUB_OS_RELEASE"), "os-release file (default /etc/os-release)")
	f.StringVar(&opt.Host.Release, "uname-release", os.Getenv("BTFHUB_UNAME_RELEASE"), "kernel release (default uname -r)")
	f.StringVar(&opt.Host.Machine, "uname-machine", os.Getenv("BTFHUB_UNAME_MACHINE"), "machine (default uname -m)")
	return cmd
}
