package site

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PHPSettings are a site's PHP limits, handed to the web image as
// environment variables (contract.EnvPHP*). Empty fields keep the image's
// php.ini.
type PHPSettings struct {
	// MemoryLimit is memory_limit, e.g. 512M.
	MemoryLimit string `yaml:"memory_limit,omitempty" json:"memory_limit,omitempty"`
	// UploadMax is upload_max_filesize and post_max_size both, and the
	// edge's body limit for a site with domains, e.g. 64M.
	UploadMax string `yaml:"upload_max,omitempty" json:"upload_max,omitempty"`
	// MaxExecutionTime is max_execution_time, in seconds.
	MaxExecutionTime int `yaml:"max_execution_time,omitempty" json:"max_execution_time,omitempty"`
}

// Bounds of the PHP settings: below the minimum memory WordPress itself
// fails, above the maximum a typo is likelier than a wish.
const (
	MinPHPMemory     = 32 << 20
	MaxPHPMemory     = 16 << 30
	MinUploadMax     = 1 << 20
	MaxUploadMax     = 4 << 30
	MaxExecutionTime = 3600
)

var phpSizeRE = regexp.MustCompile(`^([1-9][0-9]{0,6})([KMG])$`)

// ParsePHPSize reads a size as php.ini writes it with a unit (64M, 1G,
// 512K) and returns its bytes and its canonical form (upper-case unit).
func ParsePHPSize(s string) (int64, string, error) {
	m := phpSizeRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0, "", fmt.Errorf("%q is not a size: give a number with K, M or G, e.g. 64M or 1G", s)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	shift := map[string]uint{"K": 10, "M": 20, "G": 30}[m[2]]
	return n << shift, m[1] + m[2], nil
}

// NginxSize is a validated PHP size as nginx writes it (64M -> 64m).
func NginxSize(s string) string { return strings.ToLower(s) }

func (p *PHPSettings) validate() error {
	check := func(flag string, v *string, min, max int64) error {
		if *v == "" {
			return nil
		}
		n, canon, err := ParsePHPSize(*v)
		if err != nil {
			return fmt.Errorf("invalid %s: %w", flag, err)
		}
		if n < min || n > max {
			return fmt.Errorf("invalid %s %s: choose between %s and %s", flag, *v, humanSize(min), humanSize(max))
		}
		*v = canon
		return nil
	}
	if err := check("--php-memory-limit", &p.MemoryLimit, MinPHPMemory, MaxPHPMemory); err != nil {
		return err
	}
	if err := check("--upload-max", &p.UploadMax, MinUploadMax, MaxUploadMax); err != nil {
		return err
	}
	if p.MaxExecutionTime < 0 || p.MaxExecutionTime > MaxExecutionTime {
		return fmt.Errorf("invalid --php-max-execution-time %d: give seconds between 1 and %d", p.MaxExecutionTime, MaxExecutionTime)
	}
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dG", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	default:
		return fmt.Sprintf("%dK", n>>10)
	}
}

// validateRuntime checks the PHP settings and the mail relay.
func (s *Spec) validateRuntime() error {
	if err := s.PHP.validate(); err != nil {
		return err
	}
	return s.SMTP.validate()
}
