package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// usageError marks an error in how the command was called, which exits
// with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s: accepts %d argument(s), received %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a usage error.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s: requires at least %d argument(s), received %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "btfhub",
		Short: "Read, write, deduplicate, encode, relocate, minimize and archive BTF",
		Long: `btfhub is a toolkit for BTF, the BPF Type Format: the type information
that BPF CO-RE programs need from the kernel they run on.

Every command that reads BTF takes raw BTF (/sys/kernel/btf/vmlinux) or an
ELF file with a .BTF section (vmlinux, kernel modules, BPF objects). "-"
means standard input or output.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
	})
	root.AddCommand(
		newDumpCommand(),
		newEncodeCommand(),
		newStatsCommand(),
		newArchiveCommand(),
		newHostCommand(),
		newConvertCommand(),
		newDedupCommand(),
		newDiffCommand(),
		newRelocateCommand(),
		newMinimizeCommand(),
		newValidateCommand(),
		newObjectsCommand(),
	)
	// Unknown subcommands are usage errors too.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return root
}
