package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newRelocateCommand() *cobra.Command {
	var target, out, report, kconfig, release string
	var modules []string
	var keepKconfig bool
	cmd := &cobra.Command{
		Use:   "relocate OBJ --target BTF",
		Short: "Resolve a BPF object's CO-RE relocations against a kernel's BTF",
		Long: `relocate resolves every CO-RE relocation of the BPF object OBJ against
the kernel BTF given by --target, deciding each one as libbpf 1.1 does.

  -o OUT.o        write the object with every fixup applied and the CO-RE
                  records removed from .BTF.ext: any loader loads it as it
                  is, even one without CO-RE support, on a kernel without BTF
  --report FILE   write one JSON object per relocation ("-" for standard
                  output): program, section, insn, kind, type, access,
                  poisoned and value, comparable with libbpf's debug log
  --module FILE   a kernel module's BTF, split over --target; searched only
                  for types that vmlinux lacks (may be repeated)
  --kconfig FILE  the target kernel's config, for the object's CONFIG_*
                  externs
  --release R     the target kernel's release, for LINUX_KERNEL_VERSION
  --keep-kconfig  leave the object's Kconfig externs to the loader

Kconfig externs (extern ... __kconfig) get the values libbpf would give
them on the target: CONFIG_* from --kconfig, LINUX_KERNEL_VERSION from
--release, LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER from the
target's BTF, zero for a weak extern the config lacks. With -o they are
written into OUT.o as read-only data, a section .rodata.kconfig that
loaders make a frozen read-only map, so that the loader resolves nothing
on the host it runs on. An object with Kconfig externs needs --kconfig
(for CONFIG_* externs) and --release (for LINUX_KERNEL_VERSION), or
--keep-kconfig. Without -o, the externs are resolved (and checked) only
when --kconfig or --release is given.

An object written with Kconfig values cannot be relocated again (its
values and CO-RE decisions are those of its target): relocate the
original. One without Kconfig externs and CO-RE records (such as an
object relocated with --keep-kconfig, or one that never had any) is
copied as it is, with a note on standard error.

Without -o and --report, the report goes to standard output.`,
		Example: `  btfhub relocate biolatency.bpf.o --target /sys/kernel/btf/vmlinux --report -
  btfhub relocate biolatency.bpf.o --target 5.4.0-42-generic.btf \
      --kconfig config-5.4.0-42-generic --release 5.4.0-42-generic -o biolatency.5.4.o
  btfhub relocate biolatency.bpf.o --target 5.4.0-42-generic.btf --keep-kconfig -o biolatency.5.4.o`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if target == "" {
				return usagef("relocate: --target BTF is required")
			}
			if out == "" && report == "" {
				report = "-"
			}
			if out == "-" && report == "-" {
				return usagef("relocate: -o and --report cannot both be standard output")
			}
			if keepKconfig && (kconfig != "" || release != "") {
				return usagef("relocate: --keep-kconfig leaves the Kconfig externs to the loader: --kconfig and --release have no use with it")
			}
			data, err := readInput(args[0])
			if err != nil {
				return err
			}
			obj, err := corerel.Open(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			vmlinux, err := loadSpec(target, "")
			if err != nil {
				return err
			}
			var mods []corerel.Module
			for _, m := range modules {
				s, err := loadSpecOver(m, vmlinux)
				if err != nil {
					return err
				}
				name := strings.TrimSuffix(filepath.Base(m), filepath.Ext(m))
				mods = append(mods, corerel.Module{Name: name, Spec: s})
			}
			tgt, err := corerel.NewTarget(vmlinux, mods...)
			if err != nil {
				return err
			}
			opts := corerel.Options{Release: release,
				KeepKconfig: keepKconfig || out == "" && kconfig == "" && release == ""}
			if kconfig != "" {
				if opts.Kconfig, err = readInput(kconfig); err != nil {
					return err
				}
			}
			res, err := corerel.RelocateWithOptions(obj, tgt, &opts)
			if errors.Is(err, corerel.ErrKconfig) {
				return fmt.Errorf("%s: %w (give the target kernel's config with --kconfig and its release with --release, or --keep-kconfig to leave the Kconfig externs to the loader)", args[0], err)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if out != "" {
				o, err := res.Object()
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if err := atomicfile.WriteFile(out, o, 0o644); err != nil {
					return err
				}
				if len(res.Relocations) == 0 && len(res.Externs()) == 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "relocate: %s has no CO-RE relocation and no Kconfig extern to write: %s is a copy of it\n", args[0], out)
				}
			}
			if report != "" {
				return atomicfile.Write(report, 0o644, func(w io.Writer) error { return res.WriteReport(w) })
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "BTF of the target kernel (raw, ELF or xz)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the relocated object to this file")
	cmd.Flags().StringVar(&report, "report", "", "write the JSON lines report to this file (- for standard output)")
	cmd.Flags().StringArrayVar(&modules, "module", nil, "BTF of a kernel module, split over --target (repeatable)")
	cmd.Flags().StringVar(&kconfig, "kconfig", "", "kernel config file for CONFIG_* externs")
	cmd.Flags().StringVar(&release, "release", "", "kernel release for LINUX_KERNEL_VERSION, such as 6.1.0-53-cloud-amd64")
	cmd.Flags().BoolVar(&keepKconfig, "keep-kconfig", false, "leave Kconfig externs undefined in the output, for the loader to resolve")
	return cmd
}

// readInput reads a whole file, or standard input for "-", bounded by
// maxInput.
func readInput(path string) ([]byte, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxInput)
	}
	return data, nil
}

// loadSpecOver reads the split BTF of a kernel module (raw or ELF) over a
// base spec already loaded.
func loadSpecOver(path string, base *btf.Spec) (*btf.Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := btf.LoadSpecFromReader(f, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
