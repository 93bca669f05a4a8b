//go:build !unix

package pkgread

import "errors"

func mapAnon(n int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapAnon(b []byte) error { return nil }

func discardPages(b []byte) {}
