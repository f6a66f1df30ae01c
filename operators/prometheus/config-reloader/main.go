// prometheus-config-reloader runs beside Prometheus (and Alertmanager) in the
// pods the Switchboard Prometheus operator creates. It renders the config the
// operator wrote (a gzipped file from a Secret) into a plain file, expanding
// $(VAR) from its environment (the replica label uses $(POD_NAME)), and asks
// the server to reload whenever that config or a watched folder (rule
// ConfigMaps) changes.
//
//	--config-file=F           input config, gzipped if it ends in .gz
//	--config-envsubst-file=O  where the rendered config is written
//	--watched-dir=D           folder whose files trigger a reload (repeatable)
//	--reload-url=U            POSTed after every change until it answers 2xx
//	--listen-address=A        serves /metrics and /healthz
//	--once                    render the config once and exit (init container)
//	--interval=D              how often inputs are checked (default 1s)
//
// Kubelet swaps mounted Secrets and ConfigMaps by renaming a symlink, which
// file notifications report unreliably across kernels; polling content hashes
// every second is simple and catches every swap.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		configFile  = flag.String("config-file", "", "input config file (gzipped if it ends in .gz)")
		outputFile  = flag.String("config-envsubst-file", "", "rendered config file")
		reloadURL   = flag.String("reload-url", "", "URL to POST after a change")
		listenAddr  = flag.String("listen-address", "", "address for /metrics and /healthz")
		once        = flag.Bool("once", false, "render the config once and exit")
		interval    = flag.Duration("interval", time.Second, "how often inputs are checked")
		watchedDirs stringList
	)
	flag.Var(&watchedDirs, "watched-dir", "folder whose changes trigger a reload (repeatable)")
	flag.Parse()

	r := &reloader{
		configFile: *configFile, outputFile: *outputFile, watchedDirs: watchedDirs,
		reloadURL: *reloadURL, env: os.Getenv, client: &http.Client{Timeout: 30 * time.Second},
		metrics: newMetrics(),
	}
	if *once {
		if _, err := r.render(); err != nil {
			log.Fatalf("render config: %v", err)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if *listenAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", r.metrics.serve)
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		srv := &http.Server{Addr: *listenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				log.Fatalf("listen: %v", err)
			}
		}()
		defer srv.Close()
	}
	r.run(ctx, *interval)
}
