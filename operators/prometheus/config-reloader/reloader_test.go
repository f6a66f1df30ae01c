package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

func writeGzip(t *testing.T, path, content string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(content))
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExpandEnvReplacesKnownNamesOnly(t *testing.T) {
	env := func(n string) string { return map[string]string{"POD_NAME": "prometheus-main-0"}[n] }
	got := expandEnv("replica: $(POD_NAME)\nother: $(UNSET) ${1}", env)
	if want := "replica: prometheus-main-0\nother: $(UNSET) ${1}"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReloadsOnConfigAndRuleChangesButNotAtStart(t *testing.T) {
	var reloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/-/reload" {
			reloads.Add(1)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	os.Mkdir(rules, 0o755)
	in, out := filepath.Join(dir, "prometheus.yaml.gz"), filepath.Join(dir, "prometheus.env.yaml")
	writeGzip(t, in, "replica: $(POD_NAME)\n")
	r := &reloader{configFile: in, outputFile: out, watchedDirs: []string{rules}, reloadURL: srv.URL + "/-/reload",
		env: func(string) string { return "p-0" }, client: srv.Client(), metrics: newMetrics()}
	ctx := context.Background()

	// The init container renders first; the sidecar's first pass then finds
	// nothing new and must not reload a server that just started.
	if _, err := r.render(); err != nil {
		t.Fatal(err)
	}
	r.step(ctx)
	if b, _ := os.ReadFile(out); string(b) != "replica: p-0\n" {
		t.Fatalf("rendered %q", b)
	}
	if reloads.Load() != 0 {
		t.Fatalf("reloaded at start")
	}
	r.step(ctx)
	if reloads.Load() != 0 {
		t.Fatalf("reloaded without a change")
	}
	os.WriteFile(filepath.Join(rules, "a.yaml"), []byte("groups: []\n"), 0o644)
	r.step(ctx)
	if reloads.Load() != 1 {
		t.Fatalf("rule change: %d reloads, want 1", reloads.Load())
	}
	writeGzip(t, in, "replica: $(POD_NAME)\nchanged: true\n")
	r.step(ctx)
	if reloads.Load() != 2 {
		t.Fatalf("config change: %d reloads, want 2", reloads.Load())
	}
	if b, _ := os.ReadFile(out); string(b) != "replica: p-0\nchanged: true\n" {
		t.Fatalf("rendered %q", b)
	}
}

func TestRetriesAFailedReload(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "bad config", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.yaml"), []byte("a"), 0o644)
	r := &reloader{watchedDirs: []string{dir}, reloadURL: srv.URL, env: os.Getenv, client: srv.Client(), metrics: newMetrics()}
	r.step(context.Background())
	os.WriteFile(filepath.Join(dir, "r.yaml"), []byte("b"), 0o644)
	r.step(context.Background())
	if r.metrics.lastSuccessful != 0 || !r.reloadNeeded {
		t.Fatalf("failed reload not recorded")
	}
	r.step(context.Background())
	if calls.Load() != 2 || r.reloadNeeded || r.metrics.lastSuccessful != 1 {
		t.Fatalf("calls=%d reloadNeeded=%v", calls.Load(), r.reloadNeeded)
	}
}
