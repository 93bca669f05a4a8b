package main

import (
	"encoding/binary"

	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newConvertCommand() *cobra.Command {
	var base, out, to, endian string
	cmd := &cobra.Command{
		Use:   "convert IN -o OUT",
		Short: "Rewrite BTF as raw BTF or as an ELF file, in either byte order",
		Long: `convert reads BTF from IN (raw or ELF) and writes it to OUT.

  --to raw   raw BTF, as in /sys/kernel/btf/vmlinux (the default)
  --to elf   an ELF file with a .BTF section, which libbpf and cilium/ebpf
             accept as kernel BTF: for loaders that only look for
             /boot/vmlinux-<release>

--endian chooses the byte order (little or big); by default the input's
order is kept. Converting and converting back gives identical bytes.`,
		Example: `  btfhub convert /sys/kernel/btf/vmlinux --to elf -o /boot/vmlinux-$(uname -r)
  btfhub convert vmlinux.btf --endian big -o vmlinux.s390x.btf`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("convert: -o OUT is required")
			}
			var bo binary.ByteOrder
			switch endian {
			case "":
			case "little":
				bo = binary.LittleEndian
			case "big":
				bo = binary.BigEndian
			default:
				return usagef("convert: unknown --endian %q (want little or big)", endian)
			}
			if to != "raw" && to != "elf" {
				return usagef("convert: unknown --to %q (want raw or elf)", to)
			}
			s, err := loadSpec(args[0], base)
			if err != nil {
				return err
			}
			data := s.Marshal(bo)
			if to == "elf" {
				if data, err = s.MarshalELF(bo); err != nil {
					return err
				}
			}
			return atomicfile.WriteFileContext(cmd.Context(), out, data, 0o644)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "base BTF of a split IN")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file (- for standard output)")
	cmd.Flags().StringVar(&to, "to", "raw", "output format: raw or elf")
	cmd.Flags().StringVar(&endian, "endian", "", "byte order: little or big (default: the input's)")
	return cmd
}
