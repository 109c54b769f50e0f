package images

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/errdefs"
)

// phpVersionFile is written by the web and all-in-one recipes at build time.
const phpVersionFile = "/usr/share/wpstack/php-version"

// Versions are the servers an image carries, as its recipe recorded them;
// empty when the image has no such server (or predates the record).
type Versions struct {
	PHP     string `json:"php,omitempty"`
	MariaDB string `json:"mariadb,omitempty"`
}

// ImageVersions reads the PHP and MariaDB versions recorded in an image,
// through one created, never started container.
func ImageVersions(ctx context.Context, eng Engine, ref string) (Versions, error) {
	created, err := eng.ContainerCreate(ctx, &container.Config{
		Image:      ref,
		Entrypoint: []string{"true"},
		Labels:     map[string]string{LabelRole: "version-probe"},
	}, nil, nil, nil, "")
	if err != nil {
		return Versions{}, fmt.Errorf("create a container from %s to read its versions: %w", ref, err)
	}
	defer func() {
		_ = eng.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
	}()
	var v Versions
	var errs []error
	if s, ok, err := readSmallFile(ctx, eng, created.ID, phpVersionFile); err != nil {
		errs = append(errs, err)
	} else if ok {
		v.PHP = strings.TrimSpace(s)
	}
	if s, ok, err := readSmallFile(ctx, eng, created.ID, mariadbVersionFile); err != nil {
		errs = append(errs, err)
	} else if ok {
		if m, perr := parseMariaDBVersion(s); perr == nil {
			v.MariaDB = m
		}
	}
	return v, errors.Join(errs...)
}

// readSmallFile copies one file of at most 4 KiB out of a container; ok is
// false when it does not exist.
func readSmallFile(ctx context.Context, eng Engine, id, path string) (string, bool, error) {
	rc, _, err := eng.CopyFromContainer(ctx, id, path)
	if errdefs.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	b, err := io.ReadAll(io.LimitReader(tr, 4096))
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	return string(b), true, nil
}
