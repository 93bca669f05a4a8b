package main

import (
	"bufio"
	"io"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newDumpCommand() *cobra.Command {
	var base, format, out string
	cmd := &cobra.Command{
		Use:   "dump FILE",
		Short: "Print BTF as text, JSON or a C header",
		Long: `dump prints every type of FILE.

  --format raw   the text of "bpftool btf dump file FILE" (the default)
  --format json  the JSON of "bpftool -j btf dump file FILE"
  --format c     a C header like "bpftool btf dump file FILE format c"

With --base, FILE is split BTF (a kernel module) over the base BTF and
only its own types are printed, as bpftool does with -B.`,
		Example: `  btfhub dump /sys/kernel/btf/vmlinux | head
  btfhub dump /lib/modules/$(uname -r)/kernel/fs/nfs/nfs.ko --base /sys/kernel/btf/vmlinux
  btfhub dump /sys/kernel/btf/vmlinux --format c > vmlinux.h`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var write func(io.Writer, *btf.Spec) error
			switch format {
			case "raw":
				write = btf.WriteText
			case "json":
				write = btf.WriteJSON
			case "c":
				write = func(w io.Writer, s *btf.Spec) error { return btf.WriteC(w, s, nil) }
			default:
				return usagef("dump: unknown --format %q (want raw, json or c)", format)
			}
			ctx := cmd.Context()
			s, err := loadSpec(args[0], base)
			if err != nil {
				return err
			}
			testHook(ctx, "dump.loaded")
			return atomicfile.WriteContext(ctx, out, 0o644, func(w io.Writer) error {
				bw := bufio.NewWriterSize(hookWriter(ctx, w, "dump.writing"), 1<<16)
				if err := write(bw, s); err != nil {
					return err
				}
				return bw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "base BTF of a split FILE")
	cmd.Flags().StringVarP(&format, "format", "f", "raw", "output format: raw, json or c")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "output file")
	return cmd
}
