package wordpress

import "testing"

func TestTitleIn(t *testing.T) {
	tests := []struct {
		page, title string
		want        bool
	}{
		{"<html><title>My Blog</title>", "My Blog", true},
		{"<title>My Blog &#8211; Just another WordPress site</title>", "My Blog", true},
		{"<title>Bob&#8217;s Blog</title>", "Bob's Blog", true},
		{"<title>Tom &amp; Jerry</title>", "Tom & Jerry", true},
		{"<title>Other</title>", "My Blog", false},
		{"no title here", "My Blog", false},
	}
	for _, tt := range tests {
		if got := TitleIn(tt.page, tt.title); got != tt.want {
			t.Errorf("TitleIn(%q, %q) = %v", tt.page, tt.title, got)
		}
	}
}

func TestInstallerMessage(t *testing.T) {
	got := installerMessage([]byte(`<html><p class="message">Please provide a valid email address.</p></html>`))
	if got != "Please provide a valid email address." {
		t.Errorf("installerMessage = %q", got)
	}
}

func TestInstallKey(t *testing.T) {
	a, b := InstallKey([]byte("AUTH_KEY=x\n")), InstallKey([]byte("AUTH_KEY=y\n"))
	if a == b || len(a) != 64 {
		t.Errorf("InstallKey gives %q and %q: want two different 64-hex keys", a, b)
	}
	if InstallKey([]byte("AUTH_KEY=x\n")) != a {
		t.Error("InstallKey is not deterministic")
	}
}
