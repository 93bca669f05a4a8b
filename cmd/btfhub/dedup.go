package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/btfhub/btfhub/btf"
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

Input with a typedef that refers back to itself through pointers only
(Go's "type T *T"), which libbpf 1.1 fails on and the kernel refuses, is
deduplicated as libbpf 1.7 does instead, and the output keeps the loop.

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
			ctx := cmd.Context()
			s, loops, err := loadDedupInput(args[0], base)
			if err != nil {
				return err
			}
			testHook(ctx, "dedup.loaded")
			if err := ctx.Err(); err != nil {
				return err
			}
			opts := &dedup.Options{Context: ctx}
			if loops {
				// libbpf 1.1 fails on such input; do what later libbpf
				// does (see dedup.Options.Libbpf17).
				opts.Libbpf17 = true
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: reference loops without a struct (recursive typedefs), which libbpf 1.1 cannot deduplicate: deduplicating as libbpf 1.7 does\n", args[0])
			}
			start := time.Now()
			d, res, err := dedup.Dedup(s, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			took := time.Since(start)
			testHook(ctx, "dedup.deduped")
			if err := atomicfile.WriteFileContext(ctx, out, d.Marshal(nil), 0o644); err != nil {
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

// loadDedupInput loads IN (over the base at basePath, when not empty) as
// loadSpec does, but also accepts BTF with reference loops that do not go
// through a struct or union (see btf.DecodeOptions), which it reports.
// Files are first read the usual way, which reads only the .BTF section of
// an ELF file; only when that fails on such a loop are they read again.
func loadDedupInput(path, basePath string) (*btf.Spec, bool, error) {
	if path != "-" && basePath != "-" {
		s, err := loadSpec(path, basePath)
		if !errors.Is(err, btf.ErrTypeLoop) {
			return s, false, err
		}
	}
	var base *btf.Spec
	if basePath != "" {
		var err error
		if base, err = loadLoopySpec(basePath, nil); err != nil {
			return nil, false, fmt.Errorf("base: %w", err)
		}
	}
	s, err := loadLoopySpec(path, base)
	if err != nil {
		return nil, false, err
	}
	loops := s.CheckReferenceLoops() != nil || base != nil && base.CheckReferenceLoops() != nil
	return s, loops, nil
}

// loadLoopySpec reads raw BTF, an ELF file's .BTF section, or either of
// them xz-compressed, from path ("-" for standard input), allowing
// reference loops.
func loadLoopySpec(path string, base *btf.Spec) (*btf.Spec, error) {
	opts := &btf.LoadOptions{Base: base, MaxSize: maxInput, Decode: btf.DecodeOptions{AllowReferenceLoops: true}}
	if path != "-" {
		return btf.LoadSpec(path, opts)
	}
	s, err := btf.LoadSpecFromStream(os.Stdin, opts)
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	return s, nil
}
