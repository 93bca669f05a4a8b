package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/archive"
)

// maxBTF is the archive commands' --max-btf.
var maxBTF = sizeFlag{n: archive.DefaultMaxBTF, max: 1 << 30}

// sizeFlag is a flag holding a size in bytes, given as a number with an
// optional K, M or G suffix (powers of 1024), at least 1 and at most max.
type sizeFlag struct{ n, max int64 }

func (f *sizeFlag) String() string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"G", 30}, {"M", 20}, {"K", 10}} {
		if f.n > 0 && f.n%(1<<u.shift) == 0 {
			return strconv.FormatInt(f.n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(f.n, 10)
}

func (f *sizeFlag) Set(s string) error {
	shift := uint(0)
	switch {
	case strings.HasSuffix(s, "K"):
		shift = 10
	case strings.HasSuffix(s, "M"):
		shift = 20
	case strings.HasSuffix(s, "G"):
		shift = 30
	}
	if shift > 0 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > f.max>>shift {
		return fmt.Errorf("want a size from 1 to %d bytes, with an optional K, M or G suffix", f.max)
	}
	f.n = n << shift
	return nil
}

func (f *sizeFlag) Type() string { return "size" }

// openStore opens a tree or a pack (archive.Open), with --max-btf for a
// tree.
func openStore(path string) (archive.Store, error) {
	st, err := archive.Open(path)
	if t, ok := st.(*archive.Tree); ok {
		t.MaxBTF = maxBTF.n
	}
	return st, err
}

// openTree opens a tree (archive.OpenTree), with --max-btf.
func openTree(path string) (*archive.Tree, error) {
	t, err := archive.OpenTree(path)
	if t != nil {
		t.MaxBTF = maxBTF.n
	}
	return t, err
}
