package main

import "time"

// Results is everything one run measured; it is written as JSON and
// rendered as REPORT.md.
type Results struct {
	Machine  Machine   `json:"machine"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Config   Config    `json:"config"`
	Versions Versions  `json:"versions"`

	// Startup: seconds to a serving home page, per scenario (cold, warm,
	// restart) and stack; Ratio is wpstack/baseline pair by pair.
	Startup []StartupRow `json:"startup"`
	Load    []LoadRow    `json:"load"`
	Memory  []MemoryRow  `json:"memory"`
	Images  []ImageRow   `json:"images"`
	Density []DensityRow `json:"density"`
	Backup  []BackupRow  `json:"backup,omitempty"`
	Rolling []RollingRow `json:"rolling,omitempty"`
	// Edge: the edge's cache, overhead, TLS, publish, memory and idle sites.
	Edge    *EdgeResults `json:"edge,omitempty"`
	Missing []string     `json:"not_measured"`
}

// Config is how the run was set up.
type Config struct {
	Quick         bool    `json:"quick"`
	Reps          int     `json:"repetitions"`
	ColdReps      int     `json:"cold_repetitions"`
	Concurrency   []int   `json:"concurrency"`
	DurationS     float64 `json:"duration_s"`
	StaticS       float64 `json:"static_duration_s"`
	WarmupS       float64 `json:"warmup_s"`
	DensitySites  int     `json:"density_sites"`
	BudgetMiB     float64 `json:"density_budget_mib"`
	AdminPage     string  `json:"admin_page"`
	AdminConc     int     `json:"admin_concurrency"`
	LoadGenerator string  `json:"load_generator"`
	// RollingWindowS is the wrk run each swarm update or rollback happens in.
	RollingWindowS float64 `json:"rolling_window_s,omitempty"`
	// Stack is the Debian stack wpstack's sites ran ("" in runs made
	// before stacks existed: bookworm).
	Stack string `json:"stack,omitempty"`
	// CompareStack is the second stack measured side by side ("" none).
	CompareStack string `json:"compare_stack,omitempty"`
	// EdgeSites is N of the edge's idle sites; Only names the one
	// scenario a partial run measured ("edge"), "" for every scenario.
	EdgeSites int    `json:"edge_sites,omitempty"`
	Only      string `json:"only,omitempty"`
}

// Versions of what ran.
type Versions struct {
	Wpstack   string `json:"wpstack"`
	WordPress string `json:"wordpress"`
	WebImage  string `json:"wpstack_web_image"`
	DBImage   string `json:"wpstack_db_image"`
	BaseWeb   string `json:"baseline_web_image"`
	BaseDB    string `json:"baseline_db_image"`
	EdgeImage string `json:"wpstack_edge_image,omitempty"`
}

// StartupRow is one startup scenario.
type StartupRow struct {
	Scenario string  `json:"scenario"`
	Wpstack  Summary `json:"wpstack_s"`
	Baseline Summary `json:"baseline_s"`
	Ratio    Summary `json:"ratio"`
	Target   string  `json:"target,omitempty"`
}

// LoadRow is one page at one concurrency.
type LoadRow struct {
	Page        string  `json:"page"` // home, admin, static
	Concurrency int     `json:"concurrency"`
	Stack       string  `json:"stack"`
	RPS         Summary `json:"rps"`
	P50         Summary `json:"p50_ms"`
	P95         Summary `json:"p95_ms"`
	P99         Summary `json:"p99_ms"`
	Errors      int64   `json:"errors"`
	Requests    int64   `json:"requests"`
	// StatusErrors: answers ≥ 400 among Errors (expected on the edge's 404 rows).
	StatusErrors int64 `json:"status_errors,omitempty"`
	// For wpstack rows: ratios to the baseline, pair by pair.
	RPSRatio *Summary `json:"rps_ratio,omitempty"`
	P99Ratio *Summary `json:"p99_ratio,omitempty"`
	// Fraction of the static ceiling of the same web server.
	OfCeiling *Summary `json:"of_ceiling,omitempty"`
}

// MemoryRow is a stack's memory, MiB.
type MemoryRow struct {
	Stack        string             `json:"stack"`
	IdleSite     Summary            `json:"idle_site_mib"`
	LoadSite     Summary            `json:"load_site_mib"` // during the highest concurrency home run
	IdlePerRole  map[string]Summary `json:"idle_per_container_mib"`
	LoadPerRole  map[string]Summary `json:"load_per_container_mib"`
	TargetIdleOK *bool              `json:"target_idle_ok,omitempty"`
}

// ImageRow is a stack's image sizes, MiB.
type ImageRow struct {
	Stack string             `json:"stack"`
	MiB   map[string]float64 `json:"mib"` // per role
	Ref   map[string]string  `json:"ref"`
}

// DensityRow: sites that fit a memory budget, and N sites measured together.
type DensityRow struct {
	Stack         string  `json:"stack"`
	BudgetMiB     float64 `json:"budget_mib"`
	SitesInBudget int     `json:"sites_in_budget"`
	Sites         int     `json:"sites_measured"`
	TotalMiB      float64 `json:"total_idle_mib"`
	PerSiteMiB    float64 `json:"per_site_mib"`
}
