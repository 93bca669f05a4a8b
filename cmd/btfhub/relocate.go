package main

import (
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
  --kconfig FILE  a kernel config, for the object's CONFIG_* externs
  --release R     the kernel release, for LINUX_KERNEL_VERSION

Without -o and --report, the report goes to standard output.`,
		Example: `  btfhub relocate biolatency.bpf.o --target /sys/kernel/btf/vmlinux --report -
  btfhub relocate biolatency.bpf.o --target 5.4.0-42-generic.btf \
      --kconfig config-5.4.0-42-generic --release 5.4.0-42-generic -o biolatency.5.4.o`,
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
			opts := corerel.Options{Release: release}
			if kconfig != "" {
				if opts.Kconfig, err = readInput(kconfig); err != nil {
					return err
				}
			}
			res, err := corerel.RelocateWithOptions(obj, tgt, opts)
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
