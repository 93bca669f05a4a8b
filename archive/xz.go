package archive

import (
	"bytes"
	"fmt"
	"os/exec"

	"github.com/btfhub/btfhub/pkgread"
	"github.com/ulikunitz/xz"
)

// compressXZ compresses data as `tar cJ` does (xz preset 6, CRC64), with
// the xz tool when it is installed and pkgread.ExternalXZ allows it: it
// is about ten times faster than the pure-Go encoder and compresses
// better, as the xz that made btfhub-archive's files did. The output of
// one xz version is deterministic (single-threaded).
func compressXZ(data []byte) ([]byte, error) {
	if pkgread.ExternalXZ {
		if path, err := exec.LookPath("xz"); err == nil {
			cmd := exec.Command(path, "-6", "-T1", "--check=crc64", "-cq")
			cmd.Stdin = bytes.NewReader(data)
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("xz: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
			}
			return out.Bytes(), nil
		}
	}
	var buf bytes.Buffer
	w, err := xz.WriterConfig{DictCap: 8 << 20, CheckSum: xz.CRC64}.NewWriter(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
