package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/btfhub/btfhub/btf"
	"github.com/spf13/cobra"
)

func newStatsCommand() *cobra.Command {
	var base string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats FILE",
		Short: "Count types per kind and measure the type and string sections",
		Example: `  btfhub stats /sys/kernel/btf/vmlinux
  btfhub stats nfs.ko --base /sys/kernel/btf/vmlinux --json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSpec(args[0], base)
			if err != nil {
				return err
			}
			st := s.Stats()
			if asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return printStats(args[0], st)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "base BTF of a split FILE")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printStats(name string, st btf.Stats) error {
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "%s\n", name)
	row := func(label string, n int) { fmt.Fprintf(w, "  %-12s %10d\n", label, n) }
	for k := btf.KindInt; k <= btf.MaxKind; k++ {
		if n := st.ByKind[k.String()]; n > 0 {
			row(k.String(), n)
		}
	}
	row("types", st.Types)
	if st.FirstID != 1 {
		row("first id", int(st.FirstID))
	}
	row("named", st.Named)
	row("members", st.Members)
	row("strings", st.Strings)
	row("type bytes", st.TypeBytes)
	row("string bytes", st.StringBytes)
	row("total bytes", st.TotalBytes)
	return w.Flush()
}
