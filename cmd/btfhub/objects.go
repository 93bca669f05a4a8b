package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/btfhub/btfhub/objects"
	"github.com/spf13/cobra"
)

func newObjectsCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "objects BINARY",
		Short: "List and extract the BPF ELF objects embedded in a binary",
		Long: `objects finds the BPF ELF objects embedded in BINARY: libbpf skeletons
hold the whole .bpf.o in the program's data, and Go programs embed them
with go:embed. It lists each object's name, offset and size; with -o it
also writes each one to DIR.`,
		Example: `  btfhub objects /usr/sbin/biolatency
  btfhub objects /usr/sbin/opensnoop -o objs/`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			objs, err := objects.FindFile(args[0])
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				return fmt.Errorf("%s: no BPF objects found", args[0])
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tOFFSET\tSIZE")
			for _, o := range objs {
				fmt.Fprintf(w, "%s\t%#x\t%d\n", o.Name, o.Offset, len(o.Data))
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if dir == "" {
				return nil
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			_, err = objects.Extract(objs, dir)
			return err
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "directory to write the objects to")
	return cmd
}
