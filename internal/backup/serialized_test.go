package backup

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestReplacerReplace(t *testing.T) {
	rp := NewReplacer("http://localhost:8080/", "http://example.org:9000")
	const o, n = "http://localhost:8080", "http://example.org:9000"
	S := func(v string) string { return "s:" + strconv.Itoa(len(v)) + ":\"" + v + "\";" }
	tests := []struct {
		name, in, want string
	}{
		{"plain", "see " + o + "/?p=1", "see " + n + "/?p=1"},
		{"untouched", `no url here: s:3:"abc";`, `no url here: s:3:"abc";`},
		{"untouched broken serialized", `s:99:"x";`, `s:99:"x";`},
		{"serialized string", S(o), S(n)},
		{"array", "a:2:{" + S("home") + S(o+"/blog") + "i:0;b:1;}", "a:2:{" + S("home") + S(n+"/blog") + "i:0;b:1;}"},
		{"nested", "a:1:{" + S("w") + "a:2:{i:0;" + S("<a href="+o+">") + "i:1;d:0.5;}}",
			"a:1:{" + S("w") + "a:2:{i:0;" + S("<a href="+n+">") + "i:1;d:0.5;}}"},
		{"multibyte", S("café " + o), S("café " + n)},
		{"emoji twice", "a:1:{i:0;" + S("😀 "+o+" "+o) + "}", "a:1:{i:0;" + S("😀 "+n+" "+n) + "}"},
		{"quote inside string", S(`say "` + o + `"`), S(`say "` + n + `"`)},
		{"object", `O:8:"stdClass":1:{` + S("url") + S(o) + "}", `O:8:"stdClass":1:{` + S("url") + S(n) + "}"},
		{"serialized inside serialized", S(S(o)), S(S(n))},
		{"null and ints kept", "a:3:{i:0;N;i:1;i:-7;i:2;" + S(o) + "}", "a:3:{i:0;N;i:1;i:-7;i:2;" + S(n) + "}"},
		{"custom class kept", `C:3:"Foo":5:{ab;cd}`, `C:3:"Foo":5:{ab;cd}`},
		{"json escaped", `{"url":"http:\/\/localhost:8080\/a.jpg"}`, `{"url":"http:\/\/example.org:9000\/a.jpg"}`},
		{"url encoded", `u=http%3A%2F%2Flocalhost%3A8080%2Fx`, `u=http%3A%2F%2Fexample.org%3A9000%2Fx`},
		// Not a whole serialized value: plain text, counts left alone.
		{"trailing text is plain", S(o) + "x", `s:21:"` + n + `";x`},
		{"wrong count is plain", `s:5:"` + o + `";`, `s:5:"` + n + `";`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rp.Replace(tt.in)
			if got != tt.want {
				t.Errorf("Replace(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if strings.Contains(tt.name, "serialized") && !strings.Contains(tt.name, "broken") || strings.HasPrefix(tt.want, "a:") || strings.HasPrefix(tt.want, "O:") {
				if !validSerialized(got) {
					t.Errorf("result %q is not valid serialized data", got)
				}
			}
		})
	}
}

// validSerialized re-parses a value with the same parser, with nothing to replace.
func validSerialized(s string) bool {
	p := &serParser{in: []byte(s), out: new(bytes.Buffer), rp: NewReplacer("http://none.invalid", "http://none.invalid")}
	return p.value() && p.pos == len(s)
}
