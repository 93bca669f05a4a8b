package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/spf13/cobra"
)

func newArchiveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Build, read, check, pack and merge BTF archives (btfhub-archive trees and packs)",
		Long: `archive works on BTF archives of many kernels, in two forms:

  a tree, laid out as btfhub-archive is:
      <distro>/<version>/<arch>/<release>.btf.tar.xz
  with a catalogue (btfhub-catalogue.json) at its root;

  a pack: one file holding many kernels compressed against each other,
  from which one kernel reads back byte-identical without decoding the
  others (format: docs/archive-formats.md).

list, get and verify take either form.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().Var(&maxBTF, "max-btf",
		"largest raw BTF of one kernel read from a tree's tarball, in bytes or with a K, M or G suffix (packs keep their format's 64M)")
	cmd.AddCommand(newArchiveAddCommand(), newArchiveListCommand(), newArchiveGetCommand(),
		newArchiveVerifyCommand(), newArchivePackCommand(), newArchiveUnpackCommand(), newArchiveMergeCommand(), newArchiveSyncCommand())
	return cmd
}

func newArchiveAddCommand() *cobra.Command {
	// A vmlinux without .BTF (an old kernel) is encoded from its DWARF.
	opt := archive.AddOptions{Encoder: fromdwarf.VmlinuxEncoder{}}
	var shard string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "add DIR INPUT... --distro D --version V --arch A",
		Short: "Add kernels to a tree from debug packages, vmlinux files or raw BTF",
		Long: `add stores the BTF of each INPUT in the tree DIR, creating it when needed.

INPUT is a kernel debug package (.deb, .ddeb, .rpm), read as a stream with
nothing unpacked to disk; a vmlinux ELF file; or raw BTF (.btf, or .btf.xz).
The release comes from the package's vmlinux path, the vmlinux's banner,
the raw BTF's file name, or --release. A vmlinux's own .BTF section is used;
without one the BTF is encoded from DWARF. DWARF compressed with dwz -m, as
SUSE's debuginfo packages ship it, is read with its supplementary file from
the package: in a .dwz/ directory, or at the path the vmlinux's link names.

add is idempotent and resumable: a package already in the catalogue is not
read again, and the same BTF is never rewritten. Files are written whole
and renamed into place, under a lock, so runs may overlap on one tree.

--shard i/n processes only the inputs whose name hashes to i modulo n:
give every machine of a CI matrix the same input list and its own i, then
join the trees with "btfhub archive merge".`,
		Example: `  btfhub archive add archive --distro debian --version 12 --arch amd64 linux-image-*-dbg_*.deb
  btfhub archive add archive --distro ubuntu --version 20.04 --arch arm64 --shard 3/16 *.ddeb`,
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opt.Distro == "" || opt.Version == "" || opt.Arch == "" {
				return usagef("archive add: --distro, --version and --arch are required")
			}
			if a := index.NormalizeArch(opt.Arch); a != "x86_64" && a != "arm64" {
				return usagef("archive add: unknown --arch %q (want x86_64/amd64 or arm64/aarch64)", opt.Arch)
			}
			if opt.Release != "" && len(args) > 2 {
				return usagef("archive add: --release names one input, not %d", len(args)-1)
			}
			if shard != "" {
				i, n, err := parseShard(shard)
				if err != nil {
					return err
				}
				opt.Shard, opt.Shards = i, n
			}
			ctx := cmd.Context()
			p := newProgress(cmd.ErrOrStderr(), quiet)
			opt.Progress = func(done, total int, r archive.InputResult) {
				p.update(done, total, r)
				testHook(ctx, "add.progress")
			}
			opt.Context = ctx
			testHook(ctx, "add.start")
			if err := ctx.Err(); err != nil {
				return err
			}
			results, err := archive.Add(args[0], args[1:], &opt)
			if ctx.Err() == nil {
				p.finish(results)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Distro, "distro", "", "distribution, as os-release's ID (debian, ubuntu, centos, ...)")
	f.StringVar(&opt.Version, "version", "", "distribution version, as the tree names it (12, 20.04, 7, bullseye)")
	f.StringVar(&opt.Arch, "arch", "", "architecture: x86_64 (amd64) or arm64 (aarch64)")
	f.StringVar(&opt.Release, "release", "", "kernel release, replacing the one found in the input")
	f.IntVarP(&opt.Jobs, "jobs", "j", 0, "inputs read in parallel (default: the number of CPUs)")
	f.StringVar(&shard, "shard", "", "process only share i of n of the inputs (i/n, 0 <= i < n)")
	f.BoolVar(&opt.Force, "force", false, "replace entries that exist with different BTF")
	f.Int64Var(&opt.Limits.MaxEntry, "max-entry", 0, "largest vmlinux read from a package, in bytes (default 4 GiB)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	return cmd
}

// parseShard parses "i/n".
func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("archive add: --shard %q: want i/n with 0 <= i < n", s)
	}
	return i, n, nil
}

// progress shows add's progress: a bar redrawn in place on a terminal, a
// line per input otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	start time.Time
}

func newProgress(w io.Writer, quiet bool) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		fi, err := f.Stat()
		tty = err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	return &progress{w: w, tty: tty, quiet: quiet, start: time.Now()}
}

func (p *progress) update(done, total int, r archive.InputResult) {
	if p.quiet {
		return
	}
	what := r.Outcome.String() + " " + r.Entry.Key().Path()
	if r.Err != nil {
		what = "failed: " + oneLine(r.Err)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "[%d/%d] %s\n", done, total, what)
		return
	}
	const width = 30
	filled := width * done / max(total, 1)
	elapsed := time.Since(p.start).Round(time.Second)
	eta := time.Duration(0)
	if done > 0 {
		eta = (time.Since(p.start) * time.Duration(total-done) / time.Duration(done)).Round(time.Second)
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d %s, %s left  %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		done, total, elapsed, eta, what)
	if r.Err != nil {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) finish(results []archive.InputResult) {
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprintln(p.w)
	}
	counts := map[archive.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
	}
	fmt.Fprintf(p.w, "%d added, %d replaced, %d unchanged, %d failed in %s\n",
		counts[archive.Added], counts[archive.Replaced], counts[archive.Unchanged], counts[archive.Failed],
		time.Since(p.start).Round(time.Millisecond))
}

func newArchiveListCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list DIR|PACK [--json]",
		Short: "List the kernels of a tree or pack",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			entries, err := st.Entries()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if entries == nil {
					entries = []index.Entry{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(entries)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DISTRO\tVERSION\tARCH\tRELEASE\tTYPES\tBYTES\tXXH64\tSOURCE")
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", e.Distro, e.Version, e.Arch, e.Release, e.Types, e.RawSize, e.XXH64, e.Source)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalogue entries as JSON")
	return cmd
}

func newArchiveGetCommand() *cobra.Command {
	var q archive.Query
	var out, to string
	cmd := &cobra.Command{
		Use:   "get DIR|PACK --release R [--distro D --version V --arch A] -o OUT",
		Short: "Write one kernel's BTF from a tree or pack",
		Long: `get writes the BTF of the one kernel that matches the query, checked
against its catalogue checksum: raw BTF by default, or with --to elf an ELF
file with a .BTF section.`,
		Example: `  btfhub archive get archive.pack --release 6.1.0-53-cloud-amd64 -o vmlinux.btf`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if q.Release == "" || out == "" {
				return usagef("archive get: --release and -o are required")
			}
			if to != "raw" && to != "elf" {
				return usagef("archive get: unknown --to %q (want raw or elf)", to)
			}
			st, err := openStore(args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			entries, err := st.Entries()
			if err != nil {
				return err
			}
			e, err := archive.FindOne(entries, q)
			if err != nil {
				return err
			}
			raw, err := st.ReadBTF(e.Key())
			if err != nil {
				return err
			}
			return writeBTF(cmd.Context(), out, to, raw)
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Release, "release", "", "kernel release")
	f.StringVar(&q.Distro, "distro", "", "distribution")
	f.StringVar(&q.Version, "version", "", "distribution version")
	f.StringVar(&q.Arch, "arch", "", "architecture")
	f.StringVarP(&out, "output", "o", "", "output file (- for standard output)")
	f.StringVar(&to, "to", "raw", "output format: raw or elf")
	return cmd
}

// writeBTF writes raw BTF, or an ELF file holding it.
func writeBTF(ctx context.Context, out, to string, raw []byte) error {
	if to == "elf" {
		s, err := btf.Decode(raw, nil)
		if err != nil {
			return err
		}
		if raw, err = s.MarshalELF(binary.ByteOrder(nil)); err != nil {
			return err
		}
	}
	return atomicfile.WriteFileContext(ctx, out, raw, 0o644)
}

func newArchiveVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify DIR|PACK",
		Short: "Check every kernel of a tree or pack against its catalogue",
		Long: `verify reads every kernel and checks it against the catalogue: the file
is present, safe and well formed, and its BTF decodes with the recorded
checksum, sizes and type count. In a tree, files missing from the
catalogue are reported too. Each problem is printed; the exit status is 1
when there is any.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			entries, err := st.Entries()
			if err != nil {
				return err
			}
			problems, err := st.Verify()
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			if len(problems) > 0 {
				return fmt.Errorf("%s: %d problem(s) in %d entries", args[0], len(problems), len(entries))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d entries verified\n", args[0], len(entries))
			return nil
		},
	}
}

func newArchivePackCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "pack DIR -o FILE",
		Short: "Pack a tree into one file, with kernels compressed against each other",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("archive pack: -o FILE is required")
			}
			ctx := cmd.Context()
			t, err := openTree(args[0])
			if err != nil {
				return err
			}
			testHook(ctx, "pack.opened")
			return atomicfile.WriteContext(ctx, out, 0o644, func(w io.Writer) error {
				return archive.WritePack(hookWriter(ctx, w, "pack.writing"), t)
			})
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "pack file to write (- for standard output)")
	return cmd
}

func newArchiveUnpackCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "unpack FILE -o DIR",
		Short: "Write a pack's kernels out as a tree with its catalogue",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("archive unpack: -o DIR is required")
			}
			p, err := archive.OpenPackFile(args[0])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			defer p.Close()
			return archive.Unpack(p, out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "tree to write")
	return cmd
}

func newArchiveMergeCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "merge DST SRC...",
		Short: "Join trees (such as the shards of a CI matrix) into DST",
		Long: `merge copies every entry of each SRC tree into DST, with its catalogue
entry, after checking the file against the SRC catalogue. The same BTF
under the same key is skipped; different BTF under one key is an error
unless --force.`,
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := archive.Merge(args[0], args[1:], force)
			if err != nil && n > 0 {
				// One line: the count goes into the error.
				return fmt.Errorf("%d entries merged into %s, then: %w", n, args[0], err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d entries merged into %s\n", n, args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace entries that exist with different BTF")
	return cmd
}
