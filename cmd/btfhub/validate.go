package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCommand() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check BTF against the kernel checker's rules",
		Long: `validate decodes FILE, which checks its layout, strings, type ids and
reference loops, then applies the per-kind rules of the kernel's BTF
checker. The first violation is reported with its type id and byte offset.`,
		Example: `  btfhub validate /sys/kernel/btf/vmlinux`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSpec(args[0], base)
			if err != nil {
				return err
			}
			if err := s.Validate(); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d types, valid\n", args[0], s.NumTypes())
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "base BTF of a split FILE")
	return cmd
}
