//go:build linux

package btf

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/btfhub/btfhub/internal/testutil"
	"golang.org/x/sys/unix"
)

// btfLoadAttr is the BPF_BTF_LOAD member of union bpf_attr (linux/bpf.h).
type btfLoadAttr struct {
	btf         uint64
	logBuf      uint64
	size        uint32
	logSize     uint32
	logLevel    uint32
	logTrueSize uint32
	flags       uint32
	tokenFd     int32
}

// kernelLoad loads blob with BPF_BTF_LOAD. It returns a nil error when
// the kernel accepts it, otherwise the last line of the kernel's log (log
// level 1) and the errno.
func kernelLoad(blob []byte) (logLine string, errno error) {
	if len(blob) == 0 {
		blob = []byte{0}
	}
	if err := btfLoad(blob, nil); err == nil {
		return "", nil
	} else if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) {
		return "", err
	}
	logBuf := make([]byte, 1<<16)
	err := btfLoad(blob, logBuf)
	if err == nil {
		return "", nil // accepted the second time: cannot happen
	}
	lines := strings.Split(strings.TrimRight(string(bytes.TrimRight(logBuf, "\x00")), "\n"), "\n")
	return lines[len(lines)-1], err
}

// btfLoad is one BPF_BTF_LOAD call; a file descriptor it returns is closed.
func btfLoad(blob, logBuf []byte) error {
	attr := btfLoadAttr{
		btf:  uint64(uintptr(unsafe.Pointer(&blob[0]))),
		size: uint32(len(blob)),
	}
	if logBuf != nil {
		attr.logBuf = uint64(uintptr(unsafe.Pointer(&logBuf[0])))
		attr.logSize = uint32(len(logBuf))
		attr.logLevel = 1
	}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_BTF_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(blob)
	runtime.KeepAlive(logBuf)
	if errno != 0 {
		return errno
	}
	unix.Close(int(fd))
	return nil
}

// requireKernelBTFLoad skips the test when bpf(2) refuses BPF_BTF_LOAD for
// want of privilege or support, unless CI is set, where it fails.
func requireKernelBTFLoad(t *testing.T) {
	t.Helper()
	_, err := kernelLoad(rawBTF(intWords, intStrs))
	if err == nil {
		return
	}
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) {
		testutil.Missing(t, "BPF_BTF_LOAD unavailable: %v", err)
	}
	t.Fatalf("the kernel refuses a plain INT: %v", err)
}

// btfhubVerdict is btfhub's judgment of blob: Decode, allowing the reference
// loops that Validate judges as the kernel does, then Validate.
func btfhubVerdict(blob []byte) (*Spec, error) {
	s, err := DecodeWith(blob, nil, &DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		return nil, err
	}
	return s, s.Validate()
}

// differentialMutations is the number of generated mutations the
// differential test adds to the hand-built cases and the fuzz seeds.
const differentialMutations = 600

// TestValidateAgreesWithKernel loads every blob of the differential corpus
// (see differentialCorpus) and the running kernel's own BTF with
// BPF_BTF_LOAD, and checks that btfhub accepts exactly what the running
// kernel accepts and, where Validate refuses, that it gives the kernel's
// message (the last line of the kernel's log ends with it).
func TestValidateAgreesWithKernel(t *testing.T) {
	requireKernelBTFLoad(t)
	blobs := differentialCorpus(t, differentialMutations)
	if vmlinux, err := readSysfsBTF(); err == nil {
		blobs = append(blobs, corpusBlob{"/sys/kernel/btf/vmlinux", vmlinux})
	}
	accept, refuse, sameMsg, disagree := 0, 0, 0, 0
	for _, b := range blobs {
		klog, kerr := kernelLoad(b.data)
		s, verr := btfhubVerdict(b.data)
		if (kerr == nil) == (verr == nil) {
			if kerr == nil {
				accept++
				continue
			}
			refuse++
			if !errors.Is(verr, ErrInvalid) && !errors.Is(verr, ErrTypeLoop) {
				continue // refused by Decode, which stops at another fault
			}
			msg := verr.Error()
			if msg = msg[strings.LastIndex(msg, ": ")+2:]; strings.HasSuffix(klog, msg) {
				sameMsg++
				continue
			}
		}
		disagree++
		kind := "-"
		if fe := (*FormatError)(nil); s != nil && errors.As(verr, &fe) && fe.ID != 0 && fe.ID < s.NextID() {
			kind = s.typ(fe.ID).Kind().String()
		}
		t.Errorf("%s (%s): kernel: %v %q; Validate: %v", b.name, kind, kerr, klog, verr)
	}
	t.Logf("%d blobs: kernel and Validate agree on %d (accept %d, refuse %d, %d of them with the kernel's message)",
		len(blobs), accept+refuse, accept, refuse, sameMsg)
	if disagree > 0 {
		t.Errorf("%d disagreements", disagree)
	}
}

// FuzzValidateKernel feeds arbitrary bytes to Decode (allowing reference
// loops) and Validate, which must finish without panicking; on a 6.18
// kernel where BPF_BTF_LOAD is allowed, btfhub's verdict must also be the
// kernel's.
func FuzzValidateKernel(f *testing.F) {
	for _, b := range differentialCorpus(f, 0) {
		f.Add(b.data)
	}
	var uts unix.Utsname
	compare := unix.Uname(&uts) == nil && bytes.HasPrefix(uts.Release[:], []byte("6.18.")) && kernelLoadWorks()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, verr := btfhubVerdict(data)
		if !compare {
			return
		}
		if klog, kerr := kernelLoad(data); (kerr == nil) != (verr == nil) {
			t.Fatalf("kernel: %v %q; Validate: %v", kerr, klog, verr)
		}
	})
}

// kernelLoadWorks reports whether BPF_BTF_LOAD accepts a plain INT.
func kernelLoadWorks() bool {
	_, err := kernelLoad(rawBTF(intWords, intStrs))
	return err == nil
}
