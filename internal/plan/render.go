package plan

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// Export formats.
const (
	FormatCompose = "compose" // one compose file using the site's images
	FormatStack   = "stack"   // one file for `docker stack deploy`
	FormatDir     = "dir"     // compose file with build: sections, beside the build contexts
)

// stackVersionLine is how the version the 3.x schema wants is written.
const stackVersionLine = "version: \"3.8\"\n"

// Formats lists the export formats, for help and errors.
var Formats = []string{FormatCompose, FormatStack, FormatDir}

// RenderOptions say how a project is written out.
type RenderOptions struct {
	Format string
	// Header is comment lines put on top of the file (without the "# ").
	Header []string
	// ExternalVolumes marks the named volumes external: they already hold a
	// site's data, so compose neither creates them (and warns about their
	// labels) nor removes them with `down -v`.
	ExternalVolumes bool
	// Builds maps a service to its build context, relative to the file
	// (dir format only).
	Builds map[string]string
	// BuildArgs are given to every build (dir format only); values may use
	// ${VAR:-default} so the user can override them from the environment.
	BuildArgs map[string]string
	// WorkingDir is where relative paths in the file are resolved when it
	// is loaded back; default ".".
	WorkingDir string
}

// Render writes p in the Compose Specification, in the subset both Compose
// v2 and docker-compose 1.29 read (no top-level name, no
// depends_on.required: 1.29 refuses both, and required defaults to true),
// then loads the result back with compose-go and checks it still describes
// p. It does not modify p.
func Render(ctx context.Context, p *types.Project, opts RenderOptions) ([]byte, error) {
	out, err := prepare(p, opts)
	if err != nil {
		return nil, err
	}
	raw, err := out.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("write %s file of %q: %w", opts.Format, p.Name, err)
	}
	body, err := portable(raw, opts.Format)
	if err != nil {
		return nil, fmt.Errorf("write %s file of %q: %w", opts.Format, p.Name, err)
	}
	var buf bytes.Buffer
	for _, l := range opts.Header {
		buf.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	if len(opts.Header) > 0 {
		buf.WriteString("\n")
	}
	buf.Write(body)
	if err := Verify(ctx, buf.Bytes(), out, opts.WorkingDir); err != nil {
		return nil, fmt.Errorf("check the %s file of %q: %w", opts.Format, p.Name, err)
	}
	return buf.Bytes(), nil
}

// prepare returns the project as it is written for the format.
func prepare(p *types.Project, opts RenderOptions) (*types.Project, error) {
	out := *p
	out.Services = types.Services{}
	for k, s := range p.Services {
		out.Services[k] = s
	}
	out.Volumes = types.Volumes{}
	for k, v := range p.Volumes {
		if opts.ExternalVolumes {
			// compose refuses other attributes beside external and name.
			v = types.VolumeConfig{Name: v.Name, External: true}
		}
		out.Volumes[k] = v
	}
	switch opts.Format {
	case FormatCompose, FormatStack:
		if len(opts.Builds) > 0 {
			return nil, fmt.Errorf("format %s takes no build contexts", opts.Format)
		}
	case FormatDir:
		for name, dir := range opts.Builds {
			s, ok := out.Services[name]
			if !ok {
				return nil, fmt.Errorf("build context %s for service %q: %q has no such service", dir, name, p.Name)
			}
			s.Build = &types.BuildConfig{Context: dir, Dockerfile: "Dockerfile"}
			if len(opts.BuildArgs) > 0 {
				s.Build.Args = types.MappingWithEquals{}
				for k, v := range opts.BuildArgs {
					v := v
					s.Build.Args[k] = &v
				}
			}
			// Pull nothing: the base is a local image.
			s.PullPolicy = ""
			out.Services[name] = s
		}
	default:
		return nil, fmt.Errorf("unknown export format %q: use one of %s", opts.Format, strings.Join(Formats, ", "))
	}
	return &out, nil
}

// portable drops what docker-compose 1.29 refuses from compose-go's output
// and, for a stack, names the file version `docker stack deploy` wants.
func portable(raw []byte, format string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("unexpected YAML shape")
	}
	top := doc.Content[0]
	removeKey(top, "name")
	if services := mapValue(top, "services"); services != nil {
		for i := 1; i < len(services.Content); i += 2 {
			deps := mapValue(services.Content[i], "depends_on")
			if deps == nil {
				continue
			}
			for j := 1; j < len(deps.Content); j += 2 {
				removeKey(deps.Content[j], "required")
			}
		}
	}
	if format == FormatStack {
		// `docker stack deploy` reads the 3.x schema: it wants the version
		// and published ports as integers.
		intPublished(mapValue(top, "services"))
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: "version"}
		v := &yaml.Node{Kind: yaml.ScalarNode, Value: "3.8", Style: yaml.DoubleQuotedStyle}
		top.Content = append([]*yaml.Node{k, v}, top.Content...)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func intPublished(services *yaml.Node) {
	if services == nil {
		return
	}
	for i := 1; i < len(services.Content); i += 2 {
		ps := mapValue(services.Content[i], "ports")
		if ps == nil || ps.Kind != yaml.SequenceNode {
			continue
		}
		for _, port := range ps.Content {
			if v := mapValue(port, "published"); v != nil {
				if _, err := strconv.Atoi(v.Value); err == nil {
					v.Tag, v.Style = "!!int", 0
				}
			}
		}
	}
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func removeKey(m *yaml.Node, key string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// Verify loads data with compose-go, as Compose v2 would, and checks that
// it describes want: the same services, images, builds, ports, volumes,
// secrets, healthchecks and start order.
func Verify(ctx context.Context, data []byte, want *types.Project, workingDir string) error {
	if workingDir == "" {
		workingDir = "."
	}
	// A stack's version line is for `docker stack deploy`; compose-go only
	// warns that it is obsolete.
	data = bytes.Replace(data, []byte(stackVersionLine), nil, 1)
	got, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  workingDir,
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName(want.Name, true)
		o.ResolvePaths = false
		o.SkipResolveEnvironment = true
	})
	if err != nil {
		return fmt.Errorf("compose-go does not load it: %w", err)
	}
	var diffs []string
	differ := func(format string, a ...any) { diffs = append(diffs, fmt.Sprintf(format, a...)) }
	if g, w := strings.Join(got.ServiceNames(), ","), strings.Join(want.ServiceNames(), ","); g != w {
		differ("services %s, want %s", g, w)
	}
	for name, ws := range want.Services {
		gs, ok := got.Services[name]
		if !ok {
			continue
		}
		if gs.Image != ws.Image {
			differ("%s image %q, want %q", name, gs.Image, ws.Image)
		}
		if (gs.Build == nil) != (ws.Build == nil) || (ws.Build != nil && gs.Build.Context != ws.Build.Context) {
			differ("%s build differs", name)
		}
		if g, w := ports(gs.Ports), ports(ws.Ports); g != w {
			differ("%s ports %s, want %s", name, g, w)
		}
		if g, w := mounts(gs.Volumes), mounts(ws.Volumes); g != w {
			differ("%s volumes %s, want %s", name, g, w)
		}
		if g, w := secretRefs(gs.Secrets), secretRefs(ws.Secrets); g != w {
			differ("%s secrets %s, want %s", name, g, w)
		}
		if (gs.HealthCheck == nil) != (ws.HealthCheck == nil) || (ws.HealthCheck != nil && strings.Join(gs.HealthCheck.Test, " ") != strings.Join(ws.HealthCheck.Test, " ")) {
			differ("%s healthcheck differs", name)
		}
		for dep, wd := range ws.DependsOn {
			if gd, ok := gs.DependsOn[dep]; !ok || gd.Condition != wd.Condition {
				differ("%s depends_on %s differs", name, dep)
			}
		}
		if gs.Restart != ws.Restart {
			differ("%s restart %q, want %q", name, gs.Restart, ws.Restart)
		}
		if (gs.Deploy == nil) != (ws.Deploy == nil) {
			differ("%s deploy differs", name)
		}
	}
	for k, wv := range want.Volumes {
		if gv := got.Volumes[k]; gv.Name != wv.Name || gv.External != wv.External {
			differ("volume %s is %q (external %v), want %q (external %v)", k, gv.Name, gv.External, wv.Name, wv.External)
		}
	}
	for k, ws := range want.Secrets {
		if gs := got.Secrets[k]; gs.File != ws.File {
			differ("secret %s file %q, want %q", k, gs.File, ws.File)
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("loaded back, it differs from the plan: %s", strings.Join(diffs, "; "))
	}
	return nil
}

func ports(ps []types.ServicePortConfig) string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s:%s:%d/%s", p.HostIP, p.Published, p.Target, p.Protocol))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func mounts(vs []types.ServiceVolumeConfig) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Type+":"+v.Source+":"+v.Target)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func secretRefs(ss []types.ServiceSecretConfig) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Source+":"+s.Target)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
