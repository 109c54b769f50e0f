package images

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/wpstack/wpstack/internal/events"
)

// Drop-in repositories: the names compose files use in place of the
// official `wordpress` and `mariadb`/`mysql` images (docs/images.md).
const (
	PublicWeb = "wordpress"
	PublicDB  = "mariadb"

	// mariadbVersionFile is written by the db recipe at build time.
	mariadbVersionFile = "/usr/share/wpstack/mariadb-version"
)

// PublicImage is one drop-in image and the tags it got.
type PublicImage struct {
	Repository string   `json:"repository"`
	Version    string   `json:"version"`
	Tags       []string `json:"tags"`
	ID         string   `json:"id"`
	Size       int64    `json:"size_bytes,omitempty"`
	Created    int64    `json:"created_unix,omitempty"`
}

// Publish tags the web and db images of set as <prefix>/wordpress:<wp>,
// <prefix>/mariadb:<mariadb> and both :latest.
func Publish(ctx context.Context, eng Engine, set Set, prefix string) ([]PublicImage, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	dbVersion, err := MariaDBVersion(ctx, eng, set.DB)
	if err != nil {
		return nil, err
	}
	out := []PublicImage{
		{Repository: prefix + "/" + PublicWeb, Version: set.WordPressVersion, ID: set.WebID},
		{Repository: prefix + "/" + PublicDB, Version: dbVersion, ID: set.DBID},
	}
	for i := range out {
		p := &out[i]
		for _, tag := range []string{tagSafe(p.Version), "latest"} {
			ref := p.Repository + ":" + tag
			if err := eng.ImageTag(ctx, p.ID, ref); err != nil {
				return nil, fmt.Errorf("tag %s as %s: %w", p.ID, ref, err)
			}
			p.Tags = append(p.Tags, ref)
		}
		events.Emit(ctx, "image "+p.Repository, events.Done, "tagged "+strings.Join(p.Tags, ", "))
	}
	return out, nil
}

var mariadbVersionRE = regexp.MustCompile(`Ver\s+(\d+\.\d+\.\d+)`)

// parseMariaDBVersion reads "10.11.6" out of `mariadbd --version`.
func parseMariaDBVersion(s string) (string, error) {
	m := mariadbVersionRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("no version in %q", strings.TrimSpace(s))
	}
	return m[1], nil
}

// MariaDBVersion reads the server version recorded in a db image, through
// a created, never started container.
func MariaDBVersion(ctx context.Context, eng Engine, ref string) (string, error) {
	created, err := eng.ContainerCreate(ctx, &container.Config{
		Image:      ref,
		Entrypoint: []string{"true"},
		Labels:     map[string]string{LabelRole: "version-probe"},
	}, nil, nil, nil, "")
	if err != nil {
		return "", fmt.Errorf("create a container from %s to read its MariaDB version: %w", ref, err)
	}
	defer func() {
		_ = eng.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
	}()
	rc, _, err := eng.CopyFromContainer(ctx, created.ID, mariadbVersionFile)
	if err != nil {
		return "", fmt.Errorf("read %s from %s: %w", mariadbVersionFile, ref, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		return "", fmt.Errorf("read %s from %s: %w", mariadbVersionFile, ref, err)
	}
	b, err := io.ReadAll(io.LimitReader(tr, 4096))
	if err != nil {
		return "", fmt.Errorf("read %s from %s: %w", mariadbVersionFile, ref, err)
	}
	v, err := parseMariaDBVersion(string(b))
	if err != nil {
		return "", fmt.Errorf("%s in %s: %w", mariadbVersionFile, ref, err)
	}
	return v, nil
}

// ListPublic returns the drop-in images present on the engine, one entry
// per image (several tags each), newest first within a repository.
func ListPublic(ctx context.Context, eng Engine, prefix string) ([]PublicImage, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	var out []PublicImage
	for _, repo := range []string{prefix + "/" + PublicWeb, prefix + "/" + PublicDB} {
		list, err := eng.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", repo))})
		if err != nil {
			return nil, fmt.Errorf("list %s images: %w", repo, err)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Created > list[j].Created })
		for _, img := range list {
			p := PublicImage{Repository: repo, ID: img.ID, Size: img.Size, Created: img.Created}
			for _, t := range img.RepoTags {
				if !strings.HasPrefix(t, repo+":") {
					continue
				}
				p.Tags = append(p.Tags, t)
				if tag := strings.TrimPrefix(t, repo+":"); tag != "latest" {
					p.Version = tag
				}
			}
			sort.Strings(p.Tags)
			if len(p.Tags) > 0 {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
