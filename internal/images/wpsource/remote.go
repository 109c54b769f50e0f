package wpsource

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpstack/wpstack/internal/events"
)

// resolveURL downloads a release archive after reading its published
// checksum. The cache key is the checksum itself, so a warm run costs one
// small request and no download.
func resolveURL(ctx context.Context, c cache, opts Options, rawURL string) (Source, error) {
	sum, err := fetchChecksum(ctx, opts.HTTPClient, rawURL)
	if err != nil {
		return Source{}, err
	}
	key := "release-" + sum.Algo + "-" + sum.Sum[:24]
	if s, ok := c.lookup(key); ok {
		return s, nil
	}
	describe := func(v string) string { return describeRelease(rawURL, v, sum.Algo) }
	return c.store(key, KindURL, func(tmp string) error {
		name := filepath.Join(tmp, "archive."+archiveFormat(rawURL))
		events.Emit(ctx, resource, events.Working, "downloading "+rawURL)
		if err := download(ctx, opts.HTTPClient, rawURL, name, sum); err != nil {
			return err
		}
		return unpackArchive(name, filepath.Join(tmp, "tree"))
	}, describe)
}

func describeRelease(rawURL, version, algo string) string {
	host := ""
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Hostname()
	}
	if host == "wordpress.org" || strings.HasSuffix(host, ".wordpress.org") {
		return fmt.Sprintf("official release %s (%s verified)", version, algo)
	}
	return fmt.Sprintf("release %s from %s (%s verified)", version, host, algo)
}

// unpackArchive unpacks a .zip or .tar.gz into tree, dropping the top-level
// wordpress/ folder that release archives carry.
func unpackArchive(archive, tree string) error {
	if err := os.Mkdir(tree, 0o755); err != nil {
		return err
	}
	var err error
	switch archiveFormat(archive) {
	case "zip":
		err = ExtractZip(archive, tree, "wordpress")
	default:
		var f *os.File
		if f, err = os.Open(archive); err == nil {
			err = ExtractTarGz(f, tree, "wordpress")
			f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("unpack %s: %w", archive, err)
	}
	return nil
}
