//go:build !unix

package fromdwarf

import "os"

func mapFile(f *os.File) ([]byte, func()) { return nil, nil }

func dropPages(b []byte) {}
