package main

import "testing"

func TestSummarize(t *testing.T) {
	tests := []struct {
		in            []float64
		med, min, max float64
	}{
		{[]float64{3, 1, 2}, 2, 1, 3},
		{[]float64{4, 1, 2, 3}, 2.5, 1, 4},
		{[]float64{7}, 7, 7, 7},
	}
	for _, tt := range tests {
		s := summarize(tt.in)
		if s.Median != tt.med || s.Min != tt.min || s.Max != tt.max || s.N != len(tt.in) {
			t.Errorf("summarize(%v) = %+v, want median %v min %v max %v", tt.in, s, tt.med, tt.min, tt.max)
		}
	}
}

func TestRatios(t *testing.T) {
	got := ratios([]float64{2, 6, 1}, []float64{1, 3, 0})
	if len(got) != 2 || got[0] != 2 || got[1] != 2 {
		t.Fatalf("ratios = %v, want [2 2] (a zero divisor is dropped)", got)
	}
}

func TestParseMem(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"12.5MiB / 23.54GiB", 12.5},
		{"1.5GiB / 23GiB", 1536},
		{"512KiB / 1GiB", 0.5},
		{"2048B / 1GiB", 2048.0 / 1024 / 1024},
	}
	for _, tt := range tests {
		got, err := parseMemUsage(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseMemUsage(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseMemUsage("garbage"); err == nil {
		t.Error("parseMemUsage(garbage) succeeded, want an error")
	}
}

func TestParseWrk(t *testing.T) {
	out := "Running 1s test\nWPBENCH {\"requests\":100,\"duration_us\":1000000,\"p50_us\":1000,\"p95_us\":2000,\"p99_us\":3000,\"max_us\":4000,\"bytes\":5000,\"err_connect\":0,\"err_read\":1,\"err_write\":0,\"err_status\":2,\"err_timeout\":0}\n"
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.RPS != 100 || r.P50ms != 1 || r.P95ms != 2 || r.P99ms != 3 || r.Errors != 3 {
		t.Fatalf("parseWrk = %+v", r)
	}
	if _, err := parseWrk("no summary"); err == nil {
		t.Error("parseWrk without a summary succeeded, want an error")
	}
}
