package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

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
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "%s\t\n", name)
	for k := btf.KindInt; k <= btf.MaxKind; k++ {
		if n := st.ByKind[k.String()]; n > 0 {
			fmt.Fprintf(w, "%s\t%d\t\n", k, n)
		}
	}
	fmt.Fprintf(w, "types\t%d\t\n", st.Types)
	if st.FirstID != 1 {
		fmt.Fprintf(w, "first id\t%d\t\n", st.FirstID)
	}
	fmt.Fprintf(w, "named\t%d\t\n", st.Named)
	fmt.Fprintf(w, "members\t%d\t\n", st.Members)
	fmt.Fprintf(w, "strings\t%d\t\n", st.Strings)
	fmt.Fprintf(w, "type bytes\t%d\t\n", st.TypeBytes)
	fmt.Fprintf(w, "string bytes\t%d\t\n", st.StringBytes)
	fmt.Fprintf(w, "total bytes\t%d\t\n", st.TotalBytes)
	return w.Flush()
}
