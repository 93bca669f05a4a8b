package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/btfhub/btfhub/minimize"
	"github.com/spf13/cobra"
)

func newMinimizeCommand() *cobra.Command {
	var target, archiveIn, out string
	var jobs int
	var quiet bool
	cmd := &cobra.Command{
		Use:   "minimize OBJ... (--target BTF | --archive DIR|PACK) -o OUT",
		Short: "Cut kernel BTF down to what BPF objects' CO-RE relocations need",
		Long: `minimize keeps, of a kernel's BTF, only the types and members that the
CO-RE relocations of the BPF objects OBJ... read: a few kilobytes instead
of several megabytes, for tools that run on kernels without BTF. It makes
the decisions of bpftool gen min_core_btf, and relocating the objects
against the output decides exactly what relocating them against the full
BTF decides.

OBJ is a BPF ELF object, or a file that embeds BPF objects (such as a
libbpf-tools executable), every one of which is taken.

  --target BTF     minimize one kernel's BTF (raw, ELF or xz); -o names
                   the output file ("-" for standard output)
  --archive DIR|PACK
                   minimize every kernel of an archive tree or pack, in
                   parallel; -o names a tree directory, or a pack file when
                   it ends in .pack (a bundle: every kernel's minimized BTF
                   in one file, sharing what the kernels have in common).
                   Each kernel's BTF in the output is byte for byte what
                   --target writes for it.`,
		Example: `  btfhub minimize biolatency.bpf.o --target /sys/kernel/btf/vmlinux -o biolatency.btf
  btfhub minimize /usr/sbin/biolatency /usr/sbin/opensnoop --archive btfhub-archive/ -o tools.pack`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case target == "" && archiveIn == "":
				return usagef("minimize: --target BTF or --archive DIR|PACK is required")
			case target != "" && archiveIn != "":
				return usagef("minimize: --target and --archive cannot be used together")
			case out == "":
				return usagef("minimize: -o OUT is required")
			}
			objs, err := minimize.OpenObjects(args...)
			if err != nil {
				return err
			}
			if archiveIn != "" {
				if out == "-" {
					return usagef("minimize: --archive writes a tree or a pack, not standard output")
				}
				return minimizeArchive(objs, archiveIn, out, jobs, quiet)
			}
			vmlinux, err := loadSpec(target, "")
			if err != nil {
				return err
			}
			tgt, err := corerel.NewTarget(vmlinux)
			if err != nil {
				return err
			}
			res, err := minimize.MinimizeObjects(tgt, objs)
			if err != nil {
				return err
			}
			raw := res.Marshal()
			if err := atomicfile.WriteFile(out, raw, 0o644); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(os.Stderr, "%d objects: %d types, %d bytes (from %d types, %d bytes); %d relocations matched nothing\n",
					len(objs), res.Spec.NumTypes(), len(raw), vmlinux.NumTypes(), vmlinux.MarshalSize(), len(res.Unmatched))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "target", "", "BTF of the kernel to minimize (raw, ELF or xz)")
	f.StringVar(&archiveIn, "archive", "", "archive tree or pack whose every kernel is minimized")
	f.StringVarP(&out, "output", "o", "", "output file (--target), or tree directory or .pack file (--archive)")
	f.IntVarP(&jobs, "jobs", "j", 0, "kernels minimized at once with --archive (default: the number of CPUs)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no summary or progress output")
	return cmd
}

// minimizeArchive minimizes every kernel of the archive at in and writes
// the bundle to out: a pack when out ends in .pack, a tree otherwise.
func minimizeArchive(objs []minimize.Object, in, out string, jobs int, quiet bool) error {
	st, err := archive.Open(in)
	if err != nil {
		return err
	}
	defer st.Close()
	p := newProgress(os.Stderr, quiet)
	b, err := minimize.MinimizeArchive(st, objs, &minimize.ArchiveOptions{Jobs: jobs,
		Progress: func(done, total int, e index.Entry, err error) {
			r := archive.InputResult{Entry: e, Err: err, Outcome: archive.Added}
			if err != nil {
				r.Outcome = archive.Failed
			}
			p.update(done, total, r)
		}})
	if !quiet && p.tty {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		return err
	}
	if strings.HasSuffix(out, ".pack") {
		err = atomicfile.Write(out, 0o644, func(w io.Writer) error { return b.WritePack(w) })
	} else {
		err = archive.Unpack(b, out)
	}
	if err != nil {
		return err
	}
	if !quiet {
		entries, _ := b.Entries()
		var sum int64
		for _, e := range entries {
			sum += e.RawSize
		}
		fmt.Fprintf(os.Stderr, "%d kernels minimized for %d objects in %s: %d bytes of BTF in all, written to %s\n",
			len(entries), len(objs), time.Since(p.start).Round(time.Millisecond), sum, out)
	}
	return nil
}
