package pkgread

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// xzEnv is the environment variable that chooses the xz decoder:
// BTFHUB_XZ=go forces the pure-Go decoder; anything else (or nothing)
// uses the xz tool when it is on PATH (see the package doc).
const xzEnv = "BTFHUB_XZ"

// xzTool returns the path of the xz tool, or "" when xz streams are to be
// decoded in Go: BTFHUB_XZ=go, or no xz on PATH. Both are read at each
// call, so that the choice follows the process's environment, which tests
// set with t.Setenv, rather than a mutable package variable.
func xzTool() string {
	if os.Getenv(xzEnv) == "go" {
		return ""
	}
	p, err := exec.LookPath("xz")
	if err != nil {
		return ""
	}
	return p
}

// xzProcess is the output of an xz -dc process.
type xzProcess struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr bytes.Buffer
	once   sync.Once
	err    error
}

// startXZ decompresses r with the xz tool at path.
func startXZ(path string, r io.Reader) (*xzProcess, error) {
	p := &xzProcess{cmd: exec.Command(path, "-dcq")}
	p.cmd.Stdin = r
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = out
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting xz: %w", err)
	}
	return p, nil
}

// Read reads decompressed data. At the end of the stream it waits for
// the process, so that a corrupt or truncated input is an error rather
// than a short stream.
func (p *xzProcess) Read(b []byte) (int, error) {
	n, err := p.out.Read(b)
	if err == io.EOF {
		p.wait()
		if p.err != nil {
			return n, p.err
		}
	}
	return n, err
}

func (p *xzProcess) wait() {
	p.once.Do(func() {
		if err := p.cmd.Wait(); err != nil {
			msg := strings.TrimSpace(p.stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			p.err = fmt.Errorf("xz: %w: %s", ErrFormat, msg)
		}
	})
}

// Close stops the process if it is still running.
func (p *xzProcess) Close() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
	}
	p.wait()
}
