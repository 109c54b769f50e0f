package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

// ExportOptions say which site is written out, how and where.
type ExportOptions struct {
	Name   string
	Format string // plan.FormatCompose, FormatStack or FormatDir
	// Output is the file (compose, stack; "-" for stdout) or the new
	// folder (dir) to write.
	Output string
	// EndpointMode of the stack's services: vip or dnsrr (default dnsrr,
	// which works on kernels without IPVS).
	EndpointMode string
}

// ExportResult is what `export` wrote.
type ExportResult struct {
	Name            string   `json:"name"`
	Format          string   `json:"format"`
	Path            string   `json:"path"`
	Files           []string `json:"files"`
	ExternalVolumes bool     `json:"external_volumes"`
	// Run is the command that runs the export without wpstack.
	Run string `json:"run"`
	// Data is the file when Output is "-": the caller prints it.
	Data []byte `json:"-"`
}

// Export writes a site as plain compose, stack or build files, from the
// same plan `up` applies. A file is replaced whole; a folder must be new,
// and is complete or absent.
func (s *Service) Export(ctx context.Context, opts ExportOptions) (ExportResult, error) {
	if err := s.requireSite(opts.Name); err != nil {
		return ExportResult{}, err
	}
	if err := checkExportOptions(opts); err != nil {
		return ExportResult{}, err
	}
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		return ExportResult{}, err
	}
	if spec.HasDomains() && opts.Format == plan.FormatStack {
		// A stack's edge is HAProxy on a port: it does not serve domains.
		return ExportResult{}, fmt.Errorf("export site %q as a stack: it is served by the edge under %s, and a stack's edge does not serve domains; use --format compose or --format dir, which carry the edge", spec.Name, domainsText(spec))
	}
	if spec.Layout != site.LayoutSplit && opts.Format != plan.FormatCompose {
		return ExportResult{}, fmt.Errorf("export site %q as %s: its layout is %q, and only %q sites (web and db images) export as %s; use --format compose", spec.Name, opts.Format, spec.Layout, site.LayoutSplit, opts.Format)
	}
	cli, err := s.connect(ctx)
	if err != nil {
		return ExportResult{}, err
	}
	defer cli.Close()
	iopts := s.siteImageOptions(spec)
	iopts.AllInOne = spec.Layout == site.LayoutAllInOne
	if opts.Format == plan.FormatDir {
		return s.exportDir(ctx, cli, spec, iopts, opts)
	}

	set, err := images.Ensure(ctx, cli, iopts)
	if err != nil {
		return ExportResult{}, err
	}
	p, err := plan.Build(spec, plan.Inputs{WebImage: set.Web, DBImage: set.DB, AllInOneImage: set.AllInOne, SecretsDir: s.store.SecretsDir(spec.Name)})
	if err != nil {
		return ExportResult{}, err
	}
	if spec.HasDomains() {
		img, err := images.EnsureEdgeNginx(ctx, cli, s.imageOptions(""))
		if err != nil {
			return ExportResult{}, err
		}
		if err := s.exportEdge(spec, p, img); err != nil {
			return ExportResult{}, err
		}
	}
	res := ExportResult{Name: spec.Name, Format: opts.Format, Path: opts.Output}
	file := filepath.Base(opts.Output)
	if opts.Output == "-" {
		file = map[string]string{plan.FormatStack: "stack.yaml"}[opts.Format]
		if file == "" {
			file = "compose.yaml"
		}
	}
	hopts := plan.HeaderOptions{Format: opts.Format, Site: spec.Name, File: file, DBNodeLabel: plan.DBNodeLabel(spec.Name)}
	ropts := plan.RenderOptions{Format: opts.Format}
	if opts.Format == plan.FormatStack {
		edge, err := images.EnsureEdge(ctx, cli, iopts)
		if err != nil {
			return ExportResult{}, err
		}
		replicas := max(spec.Replicas, 1)
		if p, err = plan.Stack(p, plan.StackOptions{
			Replicas: replicas, EndpointMode: opts.EndpointMode, Registry: spec.Registry,
			SharedStorage: spec.SharedStorage, EdgeImage: edge, WordPressVersion: set.WordPressVersion,
		}); err != nil {
			return ExportResult{}, err
		}
		res.Run = fmt.Sprintf("docker stack deploy -c %s %s", file, spec.Name)
	} else {
		if ropts.ExternalVolumes, err = volumesExist(ctx, cli, p); err != nil {
			return ExportResult{}, err
		}
		hopts.ExternalVolumes = ropts.ExternalVolumes
		res.ExternalVolumes = ropts.ExternalVolumes
		res.Run = fmt.Sprintf("docker-compose -f %s -p %s up -d", file, spec.Name)
	}
	ropts.Header = append(plan.Header(p, hopts), s.edgeHeader(spec)...)
	data, err := plan.Render(ctx, p, ropts)
	if err != nil {
		return ExportResult{}, err
	}
	if opts.Output != "-" {
		if err := writeFileAtomic(opts.Output, data, 0o644); err != nil {
			return ExportResult{}, err
		}
		res.Files = []string{opts.Output}
	} else {
		res.Path, res.Run, res.Data = "-", "", data
	}
	events.Emit(ctx, "export "+spec.Name, events.Done, "wrote "+opts.Format+" file "+res.Path)
	return res, nil
}

func checkExportOptions(opts ExportOptions) error {
	if !slices.Contains(plan.Formats, opts.Format) {
		return fmt.Errorf("unknown format %q: use --format %s", opts.Format, strings.Join(plan.Formats, ", --format "))
	}
	if opts.Output == "" {
		return fmt.Errorf("no output: give the file (or, for --format dir, the new folder) to write with -o, e.g. -o compose.yaml")
	}
	if opts.Output == "-" && opts.Format == plan.FormatDir {
		return fmt.Errorf("--format dir writes a folder, not stdout: give a new folder with -o, e.g. -o ./blog-eject")
	}
	if opts.EndpointMode != "" && opts.Format != plan.FormatStack {
		return fmt.Errorf("--endpoint-mode applies to --format stack only")
	}
	if opts.Output != "-" && opts.Format != plan.FormatDir {
		if st, err := os.Stat(opts.Output); err == nil && st.IsDir() {
			return fmt.Errorf("output %s is a folder: give a file name, e.g. -o %s", opts.Output, filepath.Join(opts.Output, "compose.yaml"))
		}
	}
	return nil
}

// volumesExist says whether every named volume of p exists on the engine:
// then the export declares them external, as they hold the site's data.
func volumesExist(ctx context.Context, cli *client.Client, p *types.Project) (bool, error) {
	if len(p.Volumes) == 0 {
		return false, nil
	}
	for _, v := range p.Volumes {
		if _, err := cli.VolumeInspect(ctx, v.Name); err != nil {
			if errdefs.IsNotFound(err) {
				return false, nil
			}
			return false, fmt.Errorf("inspect volume %s: %w", v.Name, err)
		}
	}
	return true, nil
}

// writeFileAtomic replaces path with data, never leaving half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	return atomicfile.Write(path, data, mode)
}
