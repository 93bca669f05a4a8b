package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// runEncode runs the encode command in-process (it works whether or not
// the root command lists it) and returns its standard error.
func runEncode(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newEncodeCommand()
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	cmd.SetOut(&stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return stderr.String(), err
}

func TestEncode(t *testing.T) {
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	out := filepath.Join(t.TempDir(), "out.btf")
	stderr, err := runEncode(t, obj, "-o", out, "--stats", "--features", "float")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".debug_info", "types before dedup", "types after dedup", "BTF bytes, xz", "time: dedup"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--stats output lacks %q:\n%s", want, stderr)
		}
	}
	s, err := btf.LoadSpec(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TypeByName("everything", btf.KindStruct); err != nil {
		t.Error(err)
	}
	for t2 := range s.Types() {
		if t2.Kind() == btf.KindFloat {
			t.Errorf("--features float: found FLOAT %q", t2.Name())
		}
	}
}

func TestEncodeUsage(t *testing.T) {
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	for _, args := range [][]string{
		{obj},
		{obj, "-o", "x", "--features", "enum128"},
		{obj, "-o", "x", "--jobs", "-1"},
		{},
	} {
		_, err := runEncode(t, args...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("encode %q: got %v, want a usage error", args, err)
		}
	}
}

func TestEncodeBadInput(t *testing.T) {
	nodwarf := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "nodwarf.o")
	out := filepath.Join(t.TempDir(), "out.btf")
	_, err := runEncode(t, nodwarf, "-o", out)
	if err == nil || !strings.Contains(err.Error(), "nodwarf.o") {
		t.Fatalf("got %v, want an error naming the file", err)
	}
	if _, err := btf.LoadSpec(out, nil); err == nil {
		t.Error("an output file was written")
	}
}
