package main

import (
	"regexp"
	"time"

	"github.com/btfhub/btfhub/archive/reposync"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/internal/fetch"
	"github.com/spf13/cobra"
)

func newArchiveSyncCommand() *cobra.Command {
	opt := reposync.Options{Encoder: fromdwarf.VmlinuxEncoder{}}
	var src reposync.Sources
	var match, shard string
	var quiet bool
	client := &fetch.Client{}
	cmd := &cobra.Command{
		Use:   "sync TREE (--apt URL --suite S... | --rpm URL | --apt-sources[=FILE] | --config FILE)",
		Short: "Add every kernel that distribution repositories offer and the tree lacks",
		Long: `sync reads the signed metadata of APT and RPM-MD repositories, finds their
kernel debug packages, and streams each one that the tree lacks straight
into it, as "archive add" would add the package file: nothing is written
to disk but the tree, and each package is checked against the index's
size and SHA-256 before anything of it is stored.

Repositories, any number of each:
  --apt URL --suite S [--suite S2] [--component C] [--arch amd64,arm64]
      Debian, Ubuntu and derivatives: linux-image-RELEASE-dbg,
      linux-image[-unsigned]-RELEASE-dbgsym (.ddeb). InRelease (or Release
      and Release.gpg) must be signed by a key of --keyring.
  --rpm URL
      Fedora, RHEL rebuilds, Oracle Linux, Amazon Linux, SUSE:
      kernel[-FLAVOUR]-debuginfo. repomd.xml.asc, when the repository has
      one, must be signed by a key of --keyring.
  --apt-sources, --apt-sources=FILE
      the repositories this host's apt uses (/etc/apt/sources.list and
      sources.list.d/*.list, *.sources), or those of FILE, with their
      Signed-By keyrings.
  --config FILE
      repositories listed in a JSON file (see docs/archive-sync.md).

The archive key comes from the metadata (Origin and Version of an APT
Release, the repomd.xml distro tag or the kernel's dist tag for RPM-MD)
unless --distro and --version say otherwise.

sync is idempotent and resumable: a package whose source and checksum the
catalogue records is not downloaded again, nor one recorded as holding no
vmlinux, nor one that failed before (unless --retry-failed). Transient
faults are retried with backoff, resuming the download where it stopped.
The exit status is 0 when every selected package is in the tree, 1 when
any failed (after all the others were done).`,
		Example: `  btfhub archive sync archive --apt-sources --arch amd64 --match '^6\.1\.'
  btfhub archive sync archive --apt https://MIRROR/debian --suite bookworm --suite bookworm-security \
      --keyring /usr/share/keyrings/debian-archive-keyring.gpg --arch amd64,arm64
  btfhub archive sync archive --rpm https://MIRROR/fedora/39/x86_64/debug --keyring RPM-GPG-KEY-fedora-39 \
      --skip-with-btf --dry-run
  btfhub archive sync archive --config repos.json --shard 3/16`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if src.APT == nil && src.RPM == nil && src.AptSources == "" && src.Config == "" {
				return usagef("archive sync: give --apt, --rpm, --apt-sources or --config")
			}
			if len(src.APT) > 0 && len(src.Suites) == 0 {
				return usagef("archive sync: --apt needs --suite")
			}
			if match != "" {
				re, err := regexp.Compile(match)
				if err != nil {
					return usagef("archive sync: --match: %v", err)
				}
				opt.Match = re
			}
			if shard != "" {
				i, n, err := parseShard(shard)
				if err != nil {
					return err
				}
				opt.Shard, opt.Shards = i, n
			}
			repos, err := src.Repositories()
			if err != nil {
				return err
			}
			opt.Repositories = repos
			opt.Client = client
			p := newSyncProgress(cmd.ErrOrStderr(), quiet)
			defer p.close()
			opt.Events = p.event
			client.OnRetry = p.retry
			if src.NoVerify {
				p.warn("signature checks are off (--no-verify): the metadata and packages are not authenticated")
			}
			sum, err := reposync.Sync(cmd.Context(), args[0], &opt)
			if sum != nil {
				p.summary(cmd.OutOrStdout(), sum, opt.DryRun)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&src.APT, "apt", nil, "APT repository base URL (repeatable)")
	f.StringArrayVar(&src.Suites, "suite", nil, "suite of the --apt repositories (repeatable): bookworm, bookworm-security, noble")
	f.StringArrayVar(&src.Components, "component", nil, "component of the --apt repositories (repeatable; default main)")
	f.StringSliceVar(&src.Archs, "arch", nil, "Debian architectures to read: amd64, arm64 (default both)")
	f.StringArrayVar(&src.RPM, "rpm", nil, "RPM-MD repository base URL, the directory holding repodata/ (repeatable)")
	f.StringVar(&src.AptSources, "apt-sources", "", "read the repositories of this host's apt, or with --apt-sources=FILE those of FILE")
	f.Lookup("apt-sources").NoOptDefVal = reposync.HostSources
	f.StringVar(&src.Config, "config", "", "JSON file listing repositories (docs/archive-sync.md)")
	f.StringArrayVar(&src.Keyrings, "keyring", nil, "OpenPGP keys (binary or armored) that --apt and --rpm metadata must be signed by (repeatable)")
	f.BoolVar(&src.NoVerify, "no-verify", false, "do not check signatures (says so on every run)")
	f.StringVar(&opt.Distro, "distro", "", "distribution, replacing the one the metadata gives (debian, ubuntu, fedora, ...)")
	f.StringVar(&opt.Version, "version", "", "distribution version, replacing the one the metadata gives")
	f.StringVar(&match, "match", "", "only kernels whose release matches this regular expression")
	f.BoolVar(&opt.SkipWithBTF, "skip-with-btf", false, "leave out kernels that have BTF of their own (btfhub-archive's convention)")
	f.BoolVar(&opt.RetryFailed, "retry-failed", false, "fetch again the packages that failed in an earlier sync")
	f.BoolVar(&opt.DryRun, "dry-run", false, "list what would be fetched, with sizes, and fetch nothing")
	f.StringVar(&shard, "shard", "", "process only share i of n of the packages (i/n), by file name as archive add --shard")
	f.IntVarP(&opt.Jobs, "jobs", "j", 0, "packages downloaded and read at once (default 2)")
	f.BoolVar(&opt.Force, "force", false, "replace entries that exist with different BTF")
	f.Int64Var(&opt.Limits.MaxEntry, "max-entry", 0, "largest vmlinux read from a package, in bytes (default 4 GiB)")
	f.IntVar(&client.Attempts, "retries", 5, "tries per download before it fails")
	f.DurationVar(&client.StallTimeout, "stall-timeout", time.Minute, "a download that receives nothing for this long is retried")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output, only the summary")
	return cmd
}
