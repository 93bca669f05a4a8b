package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/internal/atomicfile"
	"github.com/btfhub/btfhub/pkgread"
)

// moduleName returns the name of the kernel module at path name in a
// package ("nf_conntrack" for .../nf_conntrack.ko, or .ko.debug as RPM
// debuginfo packages name them), or "" when it is not one.
func moduleName(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".debug")
	if !strings.HasSuffix(base, ".ko") {
		return ""
	}
	return strings.TrimSuffix(base, ".ko")
}

// normModule makes "-" and "_" the same in module names, as modprobe
// does.
func normModule(s string) string { return strings.ReplaceAll(s, "-", "_") }

// modulePatterns checks the --module patterns: names or globs (path.Match).
func modulePatterns(patterns []string) error {
	for _, p := range patterns {
		if p == "" || strings.Contains(p, "/") {
			return usagef("encode: --module %q: give a module name or a glob, such as nf_conntrack or 'nf_*'", p)
		}
		if _, err := path.Match(p, ""); err != nil {
			return usagef("encode: --module %q: %v", p, err)
		}
	}
	return nil
}

// singleModule reports whether the patterns name one module: then -o is
// the output file, not a directory.
func singleModule(patterns []string) bool {
	return len(patterns) == 1 && !strings.ContainsAny(patterns[0], "*?[\\")
}

// moduleJob encodes the modules of a package.
type moduleJob struct {
	pkg      string
	patterns []string
	out      string // the output file (one module) or directory
	opts     fromdwarf.Options
	stats    bool
	stderr   io.Writer

	done    map[string]string // module name -> path in the package
	matched []bool            // by pattern
}

// encodeModules encodes the modules of the package at pkgPath that the
// patterns name, as split BTF over opts.Base or, when nil, over the BTF
// encoded from the package's vmlinux (a first pass over the package).
func encodeModules(pkgPath string, patterns []string, out string, opts fromdwarf.Options, stats bool, stderr io.Writer) error {
	if err := modulePatterns(patterns); err != nil {
		return err
	}
	single := singleModule(patterns)
	if !single && out == "-" {
		return usagef("encode: several modules (--module %s) go to a directory, not standard output", strings.Join(patterns, ", --module "))
	}
	f, err := os.Open(pkgPath)
	if err != nil {
		return err
	}
	var magic [8]byte
	n, _ := io.ReadFull(f, magic[:])
	f.Close()
	if pkgread.Detect(magic[:n]) == pkgread.Unknown {
		return usagef("encode: --module reads modules out of a package; %s is not one (encode a module file as the input, with --base)", pkgPath)
	}
	popt := fromdwarf.PackageOptions{NoAlt: opts.AltFile != ""}
	if opts.Base == nil {
		err := fromdwarf.ReadPackageVmlinux(pkgPath, &popt, func(k *fromdwarf.PackageELF) error {
			vopts := k.Options(opts)
			vopts.Base = nil
			base, _, err := fromdwarf.EncodeBytes(k.Data, vopts)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", pkgPath, k.Name, err)
			}
			// The base as a module loader sees it: read back from its bytes.
			if opts.Base, err = btf.LoadSpecFromReader(bytes.NewReader(base.Marshal(binary.ByteOrder(nil))), nil); err != nil {
				return fmt.Errorf("%s: %s: %w", pkgPath, k.Name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if !single {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	j := &moduleJob{pkg: pkgPath, patterns: patterns, out: out, opts: opts, stats: stats, stderr: stderr,
		done: map[string]string{}, matched: make([]bool, len(patterns))}
	err = fromdwarf.ScanPackageFile(pkgPath, &popt, j.wants, j.encode)
	if err != nil {
		return err
	}
	for i, p := range patterns {
		if !j.matched[i] {
			return fmt.Errorf("%s: no module %q in the package", pkgPath, p)
		}
	}
	return nil
}

// wants reports whether the file at name is a module the patterns name.
func (j *moduleJob) wants(name string) bool {
	m := moduleName(name)
	if m == "" {
		return false
	}
	ok := false
	for i, p := range j.patterns {
		if match, _ := path.Match(normModule(p), normModule(m)); match {
			j.matched[i], ok = true, true
		}
	}
	return ok
}

// encode encodes one module and writes its BTF.
func (j *moduleJob) encode(e *fromdwarf.PackageELF) error {
	m := moduleName(e.Name)
	if prev, ok := j.done[m]; ok {
		fmt.Fprintf(j.stderr, "warning: %s: module %s is both %s and %s; encoded the first\n", j.pkg, m, prev, e.Name)
		return nil
	}
	j.done[m] = e.Name
	s, st, err := fromdwarf.EncodeBytes(e.Data, e.Options(j.opts))
	if err != nil {
		return fmt.Errorf("%s: %s: %w", j.pkg, e.Name, err)
	}
	out := j.out
	if !singleModule(j.patterns) {
		out = filepath.Join(j.out, m+".btf")
	}
	data := s.Marshal(binary.ByteOrder(nil))
	ctx := j.opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := atomicfile.WriteFileContext(ctx, out, data, 0o644); err != nil {
		return err
	}
	if j.stats {
		fmt.Fprintf(j.stderr, "module %s (%s):\n", m, e.Name)
		size, err := xzSize(data)
		if err != nil {
			return err
		}
		return st.WriteTable(j.stderr, size)
	}
	return nil
}
