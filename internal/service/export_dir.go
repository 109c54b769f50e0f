package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

// Files of a dir export besides the build contexts.
const (
	dirCompose  = "compose.yaml"
	dirReadme   = "README.md"
	dirManifest = "wpstack-export.json"
	dirSums     = "SHA256SUMS"
	// baseArg lets the user pick the base image at build time.
	baseArg = "${WPSTACK_BASE:-%s}"
)

// exportManifest is wpstack-export.json: what the folder was made from.
type exportManifest struct {
	Site    string            `json:"site"`
	Version string            `json:"wpstack_version,omitempty"`
	Images  map[string]string `json:"images"` // service → the tag compose.yaml builds
	images.Exported
}

// exportDir writes the build contexts, compose.yaml with build: sections,
// the manifest, checksums and a README into a new folder, in a side folder
// renamed into place when complete.
func (s *Service) exportDir(ctx context.Context, cli *client.Client, spec site.Spec, iopts images.Options, opts ExportOptions) (ExportResult, error) {
	out, err := filepath.Abs(opts.Output)
	if err != nil {
		return ExportResult{}, fmt.Errorf("output %s: %w", opts.Output, err)
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return ExportResult{}, fmt.Errorf("output %s exists and is not empty: give a new folder with -o", opts.Output)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ExportResult{}, fmt.Errorf("output %s: %w (give a new folder with -o)", opts.Output, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return ExportResult{}, fmt.Errorf("create the parent of %s: %w", out, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".partial-")
	if err != nil {
		return ExportResult{}, fmt.Errorf("write %s: %w", out, err)
	}
	defer os.RemoveAll(tmp) // gone once renamed; else the partial folder goes

	events.Emit(ctx, "export "+spec.Name, events.Working, "writing build contexts")
	exp, err := images.ExportContexts(ctx, cli, iopts, tmp)
	if err != nil {
		return ExportResult{}, err
	}
	refs := map[string]string{}
	builds := map[string]string{}
	for _, c := range exp.Contexts {
		// The site's own names: a rebuild never retags wpstack's images.
		refs[string(c.Role)] = c.Role.Tag(spec.Name, c.RecipeHash, exp.WordPressVersion)
		builds[string(c.Role)] = "./" + string(c.Role)
	}
	if spec.HasDomains() {
		c, err := images.ExportEdgeContext(ctx, iopts, tmp)
		if err != nil {
			return ExportResult{}, err
		}
		exp.Contexts = append(exp.Contexts, c)
		refs[plan.ServiceDomainEdge] = c.Role.Tag(spec.Name, c.RecipeHash, "")
		builds[plan.ServiceDomainEdge] = "./" + string(c.Role)
	}
	for i := range exp.Contexts {
		exp.Contexts[i].Dir = string(exp.Contexts[i].Role) // relative in the manifest
	}
	p, err := plan.Build(spec, plan.Inputs{WebImage: refs[site.ServiceWeb], DBImage: refs[site.ServiceDB], SecretsDir: s.store.SecretsDir(spec.Name)})
	if err != nil {
		return ExportResult{}, err
	}
	if err := s.exportEdge(spec, p, refs[plan.ServiceDomainEdge]); err != nil {
		return ExportResult{}, err
	}
	external, err := volumesExist(ctx, cli, p)
	if err != nil {
		return ExportResult{}, err
	}
	data, err := plan.Render(ctx, p, plan.RenderOptions{
		Format:          plan.FormatDir,
		ExternalVolumes: external,
		Builds:          builds,
		BuildArgs:       map[string]string{"BASE": fmt.Sprintf(baseArg, exp.BaseImage)},
		WorkingDir:      tmp,
		Header:          append(plan.Header(p, plan.HeaderOptions{Format: plan.FormatDir, Site: spec.Name, File: dirCompose, ExternalVolumes: external}), s.edgeHeader(spec)...),
	})
	if err != nil {
		return ExportResult{}, err
	}
	man, err := json.MarshalIndent(exportManifest{Site: spec.Name, Images: refs, Exported: exp}, "", "  ")
	if err != nil {
		return ExportResult{}, err
	}
	readme := dirREADME(spec, exp, refs, external, s.store.SecretsDir(spec.Name)) + edgeREADME(spec, s.exportEdgeDir(spec.Name))
	for name, b := range map[string][]byte{dirCompose: data, dirManifest: append(man, '\n'), dirReadme: []byte(readme)} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return ExportResult{}, fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := writeSums(tmp); err != nil {
		return ExportResult{}, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return ExportResult{}, fmt.Errorf("write %s: %w", out, err)
	}
	_ = os.Remove(out) // an empty folder given as output
	if err := os.Rename(tmp, out); err != nil {
		return ExportResult{}, fmt.Errorf("move the export into %s: %w", out, err)
	}
	events.Emit(ctx, "export "+spec.Name, events.Done, "wrote "+out)
	files := []string{dirCompose, dirReadme, dirManifest, dirSums, "web/", "db/"}
	if spec.HasDomains() {
		files = append(files, string(images.RoleEdgeNginx)+"/")
	}
	return ExportResult{
		Name: spec.Name, Format: plan.FormatDir, Path: out, ExternalVolumes: external,
		Files: files,
		Run:   fmt.Sprintf("cd %s && docker-compose -p %s up -d --build", out, spec.Name),
	}, nil
}

// writeSums writes SHA256SUMS over every file of dir, in the format
// `sha256sum -c SHA256SUMS` checks.
func writeSums(dir string) error {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		lines = append(lines, hex.EncodeToString(h.Sum(nil))+"  "+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("checksum the export: %w", err)
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	return os.WriteFile(filepath.Join(dir, dirSums), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
