package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/btfhub/btfhub/pkgread"
	"github.com/spf13/cobra"
	"github.com/ulikunitz/xz"
)

func newEncodeCommand() *cobra.Command {
	var base, out, features, alt string
	var modules []string
	var jobs int
	var noDedup, stats, quiet, consistent bool
	cmd := &cobra.Command{
		Use:   "encode ELF|PACKAGE -o OUT",
		Short: "Encode the DWARF of a vmlinux, module or kernel debug package as BTF (pahole -J)",
		Long: `encode turns the DWARF debug information of a kernel built without BTF
into BTF, as pahole -J does: every type, a FUNC for each function of the
symbol table, and the per-cpu variables. The input is a vmlinux or module
ELF file, or a kernel debug package (.deb, .ddeb, .rpm), from which the
vmlinux (or, with --module, modules) is read without unpacking. The output
is raw BTF.

  --base FILE      encode a module as split BTF over its vmlinux's BTF
  --module NAME    encode the module NAME of the package (a glob such as
                   'nf_*' names several; repeatable) as split BTF over
                   --base, or when not given over the BTF encoded from the
                   package's own vmlinux (read in a first pass). With one
                   module name -o is the output file; with a glob or
                   several names, -o is a directory receiving NAME.btf each
  --alt FILE       the supplementary DWARF file (dwz -m) the input refers
                   to, when it is not where the input's .gnu_debugaltlink
                   or .debug_sup says
  --jobs N         compilation units encoded at once (default: every CPU)
  --no-dedup       keep one copy of each type per compilation unit
  --features LIST  turn off kinds old consumers cannot read, comma-separated:
                   enum64, decl_tag, type_tag, float, vars (or "all")
  --consistent-funcs
                   give no FUNC to a function whose prototype differs
                   between the compilation units defining it, as pahole
                   1.25's --skip_encoding_btf_inconsistent_proto (1.26:
                   --btf_features=consistent_func) does; by default, as
                   pahole 1.24, the first unit's prototype is kept
  --stats          print the dedup-ratio report on standard error

DWARF compressed with dwz -m (as SUSE's debuginfo packages are) refers to a
supplementary file. Without --alt it is looked for at the path the link
gives, relative to the input's directory, then under /usr/lib/debug
(.dwz/NAME, .build-id/xx/yyyy.debug); in a package, in the package itself.
Its build-id must be the one the link records.

DWARF that cannot be mapped to BTF is reported on standard error as a
warning naming the compilation unit and DIE offset (--quiet hides them).`,
		Example: `  btfhub encode /usr/lib/debug/boot/vmlinux-$(uname -r) -o vmlinux.btf
  btfhub encode linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64.deb -o 6.1.0-53-cloud-amd64.btf --stats
  btfhub encode nf_conntrack.ko --base vmlinux.btf -o nf_conntrack.btf
  btfhub encode linux-image-6.1.0-53-cloud-amd64-dbg_6.1.187-1_amd64.deb --module nf_conntrack --base vmlinux.btf -o nf_conntrack.btf
  btfhub encode kernel-default-debuginfo-6.4.0-150600.23.7.3.x86_64.rpm --module 'nf_*' -o modules/
  btfhub encode vmlinux --features enum64,decl_tag,type_tag -o old-libbpf.btf`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("encode: -o OUT is required")
			}
			if jobs < 0 {
				return usagef("encode: --jobs must not be negative")
			}
			if os.Getenv("GOGC") == "" {
				// The encoder's heap is mostly pointer-free type records,
				// cheap to collect: collecting twice as often keeps the
				// peak RSS of a vmlinux near 300 MB instead of 450 MB and
				// costs no measurable time.
				debug.SetGCPercent(50)
			}
			feat, err := fromdwarf.ParseFeatures(features)
			if err != nil {
				return usagef("encode: --features: %v", err)
			}
			opts := &fromdwarf.Options{Context: cmd.Context(), Jobs: jobs, NoDedup: noDedup, Features: feat, ConsistentFuncs: consistent, AltFile: alt}
			if !quiet {
				stderr := cmd.ErrOrStderr()
				opts.Warn = func(err error) { fmt.Fprintf(stderr, "warning: %s\n", oneLine(err)) }
			}
			if base != "" {
				if opts.Base, err = loadSpec(base, ""); err != nil {
					return fmt.Errorf("base: %w", err)
				}
			}
			if len(modules) > 0 {
				return encodeModules(args[0], modules, out, *opts, stats, cmd.ErrOrStderr())
			}
			ctx := cmd.Context()
			testHook(ctx, "encode.start")
			if err := ctx.Err(); err != nil {
				return err
			}
			spec, st, err := encodeInput(args[0], opts)
			if err != nil {
				return err
			}
			testHook(ctx, "encode.encoded")
			data := spec.Marshal(binary.ByteOrder(nil))
			if err := atomicfile.WriteFileContext(ctx, out, data, 0o644); err != nil {
				return err
			}
			if stats {
				xzSize, err := xzSize(data)
				if err != nil {
					return err
				}
				return st.WriteTable(cmd.ErrOrStderr(), xzSize)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "BTF of the vmlinux a module is split over")
	cmd.Flags().StringArrayVar(&modules, "module", nil, "encode the package's module NAME (or glob), over --base or the package's vmlinux")
	cmd.Flags().StringVar(&alt, "alt", "", "supplementary DWARF file (dwz -m) of the input")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file (- for standard output)")
	cmd.Flags().IntVar(&jobs, "jobs", 0, "compilation units encoded at once (0: every CPU)")
	cmd.Flags().BoolVar(&noDedup, "no-dedup", false, "do not deduplicate")
	cmd.Flags().StringVar(&features, "features", "", "kinds to turn off: enum64,decl_tag,type_tag,float,vars")
	cmd.Flags().BoolVar(&consistent, "consistent-funcs", false, "no FUNC for functions whose prototypes differ across compilation units (pahole --skip_encoding_btf_inconsistent_proto)")
	cmd.Flags().BoolVar(&stats, "stats", false, "print the dedup-ratio report on standard error")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not print warnings")
	return cmd
}

// encodeInput encodes an ELF file, or the vmlinux of a package (with the
// supplementary DWARF file the package holds for it, if any).
func encodeInput(path string, opts *fromdwarf.Options) (*btf.Spec, *fromdwarf.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var magic [8]byte
	n, _ := io.ReadFull(f, magic[:])
	if pkgread.Detect(magic[:n]) == pkgread.Unknown {
		s, st, err := fromdwarf.Encode(f, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return s, st, nil
	}
	f.Close()
	var s *btf.Spec
	var st *fromdwarf.Stats
	err = fromdwarf.ReadPackageVmlinux(path, &fromdwarf.PackageOptions{NoAlt: opts.AltFile != ""}, func(k *fromdwarf.PackageELF) error {
		var err error
		if s, st, err = fromdwarf.EncodeBytes(k.Data, k.Options(*opts)); err != nil {
			return fmt.Errorf("%s: %s: %w", path, k.Name, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return s, st, nil
}

// xzSize returns the size of data compressed with xz.
func xzSize(data []byte) (int, error) {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(data); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}
