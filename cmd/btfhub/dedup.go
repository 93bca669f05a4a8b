package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/btfhub/btfhub/dedup"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newDedupCommand() *cobra.Command {
	var base, out string
	cmd := &cobra.Command{
		Use:   "dedup IN -o OUT",
		Short: "Deduplicate BTF exactly as libbpf's btf__dedup does",
		Long: `dedup merges the duplicate types of IN, as pahole leaves them when it
encodes the DWARF of many compilation units, and writes the result to OUT.
The output is byte for byte what libbpf 1.1's btf__dedup produces.

With --base, IN is split BTF (a kernel module) and is deduplicated against
that base, which is left as it is: types the base already has are dropped
from IN and referred to by their base ids.

It prints the types and bytes before and after, and the time taken. OUT is
written only when the whole run succeeds; an interrupted run leaves no file.`,
		Example: `  btfhub dedup vmlinux.prededup.btf -o vmlinux.btf
  btfhub dedup module.btf --base vmlinux.btf -o module.dedup.btf`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("dedup: -o OUT is required")
			}
			s, err := loadSpec(args[0], base)
			if err != nil {
				return err
			}
			start := time.Now()
			d, res, err := dedup.Dedup(s, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			took := time.Since(start)
			if err := cmd.Context().Err(); err != nil {
				return errors.New("interrupted; nothing written")
			}
			if err := atomicfile.WriteFile(out, d.Marshal(nil), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d types, %d bytes -> %d types, %d bytes in %v\n",
				args[0], res.Before, s.MarshalSize(), res.After, d.MarshalSize(), took.Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "base BTF of a split IN")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file (- for standard output)")
	return cmd
}
