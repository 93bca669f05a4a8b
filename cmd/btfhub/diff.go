package main

import (
	"bufio"
	"io"

	"github.com/btfhub/btfhub/diff"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newDiffCommand() *cobra.Command {
	var baseA, baseB, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "List the types added, removed and changed between two BTFs",
		Long: `diff matches the types of A and B by kind and name (anonymous types by
their position in their parent) and reports every type only in A, only in
B, or different, down to each member's offset, type and size.

The text output reads like a unified diff; --json writes one document whose
schema is given in the documentation of the diff package.`,
		Example: `  btfhub diff 5.15.btf /sys/kernel/btf/vmlinux
  btfhub diff old.btf new.btf --json | jq '.changed[] | select(.name == "task_struct")'`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := loadSpec(args[0], baseA)
			if err != nil {
				return err
			}
			b, err := loadSpec(args[1], baseB)
			if err != nil {
				return err
			}
			testHook(ctx, "diff.loaded")
			r, err := diff.CompareContext(ctx, a, b)
			if err != nil {
				return err
			}
			testHook(ctx, "diff.compared")
			return atomicfile.WriteContext(ctx, out, 0o644, func(w io.Writer) error {
				bw := bufio.NewWriterSize(hookWriter(ctx, w, "diff.writing"), 1<<16)
				write := diff.WriteText
				if asJSON {
					write = diff.WriteJSON
				}
				if err := write(bw, r, args[0], args[1]); err != nil {
					return err
				}
				return bw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&baseA, "base-a", "", "base BTF of a split A")
	cmd.Flags().StringVar(&baseB, "base-b", "", "base BTF of a split B")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "output file")
	return cmd
}
