package btf

import "os"

func readSysfsBTF() ([]byte, error) { return os.ReadFile("/sys/kernel/btf/vmlinux") }
