package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/minimize"
)

// runMinimize runs the minimize command in process.
func runMinimize(args ...string) error {
	cmd := newMinimizeCommand()
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}

// TestMinimizeCommand minimizes a testdata kernel for two libbpf-tools
// objects with --target, checks the file against the package's result,
// then minimizes an archive of two kernels into a pack and a tree, and
// checks that each kernel reads back byte-identical to --target's output.
func TestMinimizeCommand(t *testing.T) {
	objs := testutil.LibbpfToolsObjectFiles(t)[:2]
	dir := t.TempDir()
	tree := filepath.Join(dir, "archive")
	var targets []string
	for _, k := range testutil.Kernels {
		p := testutil.KernelBTFFile(t, k)
		targets = append(targets, p)
		if _, err := archive.Add(tree, []string{p}, &archive.AddOptions{Distro: "test", Version: "1", Arch: "x86_64", Release: k, Jobs: 1}); err != nil {
			t.Fatal(err)
		}
	}
	mobjs, err := minimize.OpenObjects(objs...)
	if err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(dir, "out.pack")
	outTree := filepath.Join(dir, "out")
	if err := runMinimize(append(objs, "--archive", tree, "-o", pack, "-q")...); err != nil {
		t.Fatal(err)
	}
	if err := runMinimize(append(objs, "--archive", tree, "-o", outTree, "-q")...); err != nil {
		t.Fatal(err)
	}
	for i, k := range testutil.Kernels {
		out := filepath.Join(dir, k+".min.btf")
		if err := runMinimize(append(objs, "--target", targets[i], "-o", out, "-q")...); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := btf.LoadSpec(targets[i], nil)
		if err != nil {
			t.Fatal(err)
		}
		target, _ := corerel.NewTarget(spec)
		res, err := minimize.MinimizeObjects(target, mobjs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, res.Marshal()) {
			t.Errorf("%s: --target wrote %d bytes, the package gives %d", k, len(got), len(res.Marshal()))
		}
		for _, path := range []string{pack, outTree} {
			st, err := archive.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := st.ReadBTF(index.Key{Distro: "test", Version: "1", Arch: "x86_64", Release: k})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, got) {
				t.Errorf("%s: %s holds %d bytes, --target wrote %d", k, path, len(raw), len(got))
			}
		}
	}

	// Usage errors and bad input.
	var ue *usageError
	if err := runMinimize(objs[0], "-o", filepath.Join(dir, "x")); !errors.As(err, &ue) {
		t.Errorf("no --target: got %v, want a usage error", err)
	}
	if err := runMinimize(objs[0], "--target", targets[0]); !errors.As(err, &ue) {
		t.Errorf("no -o: got %v, want a usage error", err)
	}
	bad := filepath.Join(dir, "bad.o")
	if err := os.WriteFile(bad, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bad.btf")
	if err := runMinimize(bad, "--target", targets[0], "-o", out); err == nil || errors.As(err, &ue) {
		t.Errorf("junk object: got %v, want a failure", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}
