package reposync

import (
	"context"
	"strings"

	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
	"github.com/btfhub/btfhub/repo/rpmmd"
)

// Repository is a repository to sync from.
type Repository interface {
	// Discover reads the repository's metadata and returns its kernel
	// debug packages.
	Discover(ctx context.Context, g repo.Getter) (*repo.Index, error)
	// String names the repository in messages.
	String() string
}

// APT returns the APT repository r as a Repository.
func APT(r *apt.Repo) Repository { return aptRepo{r} }

// RPM returns the RPM-MD repository r as a Repository.
func RPM(r *rpmmd.Repo) Repository { return rpmRepo{r} }

type aptRepo struct{ r *apt.Repo }

func (a aptRepo) Discover(ctx context.Context, g repo.Getter) (*repo.Index, error) {
	return apt.Discover(ctx, g, a.r)
}

func (a aptRepo) String() string {
	return "apt " + a.r.URL + " " + strings.Join(a.r.Suites, ",")
}

type rpmRepo struct{ r *rpmmd.Repo }

func (p rpmRepo) Discover(ctx context.Context, g repo.Getter) (*repo.Index, error) {
	return rpmmd.Discover(ctx, g, p.r)
}

func (p rpmRepo) String() string { return "rpm-md " + p.r.URL }
