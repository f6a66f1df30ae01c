package main

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// metrics are the reloader's own, named as prometheus-operator's
// config-reloader names them so existing alerts keep working.
type metrics struct {
	mu                   sync.Mutex
	reloads, reloadFails float64
	applies, applyFails  float64
	lastSuccessful       float64
	lastSuccessTime      float64
}

func newMetrics() *metrics { return &metrics{lastSuccessful: 1} }

func (m *metrics) reloaded(at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reloads++
	m.lastSuccessful = 1
	m.lastSuccessTime = float64(at.Unix())
}

func (m *metrics) reloadFailed() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reloads++
	m.reloadFails++
	m.lastSuccessful = 0
}

func (m *metrics) applied() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applies++
}

func (m *metrics) applyFailed() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applies++
	m.applyFails++
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	for _, s := range []struct {
		name, kind, help string
		value            float64
	}{
		{"reloader_reloads_total", "counter", "Reload requests sent.", m.reloads},
		{"reloader_reloads_failed_total", "counter", "Reload requests that failed.", m.reloadFails},
		{"reloader_last_reload_successful", "gauge", "Whether the last reload succeeded.", m.lastSuccessful},
		{"reloader_last_reload_success_timestamp_seconds", "gauge", "Time of the last successful reload.", m.lastSuccessTime},
		{"reloader_config_apply_operations_total", "counter", "Config renderings.", m.applies},
		{"reloader_config_apply_operations_failed_total", "counter", "Config renderings that failed.", m.applyFails},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %g\n", s.name, s.help, s.name, s.kind, s.name, s.value)
	}
}
