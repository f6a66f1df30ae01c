package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// reloader holds the inputs to watch and what it last saw of them.
type reloader struct {
	configFile  string
	outputFile  string
	watchedDirs []string
	reloadURL   string
	env         func(string) string
	client      *http.Client
	metrics     *metrics

	lastHash     string
	reloadNeeded bool
}

var envReference = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expandEnv replaces $(NAME) with the variable's value, as Kubernetes does in
// container args; unknown names are left as written.
func expandEnv(in string, env func(string) string) string {
	return envReference.ReplaceAllStringFunc(in, func(ref string) string {
		name := envReference.FindStringSubmatch(ref)[1]
		if v := env(name); v != "" {
			return v
		}
		return ref
	})
}

// render writes the expanded config when it differs from the file on disk,
// reporting whether it wrote. Without --config-file it does nothing.
func (r *reloader) render() (bool, error) {
	if r.configFile == "" || r.outputFile == "" {
		return false, nil
	}
	raw, err := os.ReadFile(r.configFile)
	if err != nil {
		return false, err
	}
	if strings.HasSuffix(r.configFile, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return false, fmt.Errorf("gunzip %s: %w", r.configFile, err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return false, fmt.Errorf("gunzip %s: %w", r.configFile, err)
		}
	}
	out := []byte(expandEnv(string(raw), r.env))
	if current, err := os.ReadFile(r.outputFile); err == nil && bytes.Equal(current, out) {
		return false, nil
	}
	// Write then rename, so the server never reads half a file.
	tmp := r.outputFile + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp, r.outputFile)
}

// inputsHash digests the config file and every regular file (following the
// kubelet's symlinks) in the watched folders, in name order.
func (r *reloader) inputsHash() (string, error) {
	h := sha256.New()
	paths := []string{}
	if r.configFile != "" {
		paths = append(paths, r.configFile)
	}
	for _, dir := range r.watchedDirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return "", err
		}
		for _, e := range entries {
			// Kubelet's own bookkeeping (..data, ..2026_...) starts with "..".
			if !strings.HasPrefix(e.Name(), "..") {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || info.IsDir() {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// step checks the inputs once: on a change it renders the config and marks a
// reload as needed; a needed reload is retried on every step until it works.
func (r *reloader) step(ctx context.Context) {
	hash, err := r.inputsHash()
	if err != nil {
		log.Printf("read inputs: %v", err)
		return
	}
	if hash != r.lastHash {
		wrote, err := r.render()
		if err != nil {
			r.metrics.applyFailed()
			log.Printf("render config: %v", err)
			return
		}
		r.metrics.applied()
		// At start the server has just read the file the init container
		// rendered: reload only if this pass wrote a different one.
		r.reloadNeeded = r.reloadNeeded || r.lastHash != "" || wrote
		r.lastHash = hash
	}
	if r.reloadNeeded && r.reloadURL != "" {
		if err := r.reload(ctx); err != nil {
			r.metrics.reloadFailed()
			log.Printf("reload: %v", err)
			return
		}
		r.metrics.reloaded(time.Now())
		r.reloadNeeded = false
		log.Printf("reloaded %s", r.reloadURL)
	}
}

func (r *reloader) reload(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.reloadURL, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s: %s", r.reloadURL, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func (r *reloader) run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		r.step(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
