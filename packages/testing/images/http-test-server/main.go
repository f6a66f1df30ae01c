// http-test-server is the small server the node's integration tests run in
// pods: it reports who answered, lets a test fail its probes on demand, reads
// and writes files (configMap volumes, PVCs), resolves names with the pod's
// resolver, and calls URLs or the API server from inside the pod.
//
//	GET  /                  the pod's hostname
//	GET  /healthz, /readyz  200, or 500 once failed with POST /fail/healthz or /fail/readyz
//	POST /heal/{probe}      undoes /fail/{probe}
//	GET  /file?path=P       the file's content; PUT writes the request body to it
//	GET  /dns?name=N        the addresses N resolves to, one a line
//	GET  /fetch?url=U       GETs U from inside the pod and relays status and body
//	GET  /kube?path=P       GETs P from the API server with the pod's service-account token
//	GET  /env?name=N        an environment variable
//
// Listens on $PORT (default 8080). SIGTERM stops it gracefully.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

type server struct {
	mu     sync.Mutex
	failed map[string]bool
}

func (s *server) probe(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		bad := s.failed[name]
		s.mu.Unlock()
		if bad {
			http.Error(w, name+" failed on request", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

func (s *server) setProbe(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("probe")
		s.mu.Lock()
		s.failed[name] = failed
		s.mu.Unlock()
		fmt.Fprintf(w, "%s failed=%v\n", name, failed)
	}
}

func file(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Query().Get("path")
	switch r.Method {
	case http.MethodGet:
		data, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(data)
	case http.MethodPut:
		data, err := io.ReadAll(r.Body)
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "written")
	default:
		http.Error(w, "GET or PUT", http.StatusMethodNotAllowed)
	}
}

func dns(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, r.URL.Query().Get("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, strings.Join(addrs, "\n"))
}

func relay(w http.ResponseWriter, client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func fetch(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, r.URL.Query().Get("url"), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	relay(w, &http.Client{Timeout: 10 * time.Second}, req)
}

func kube(w http.ResponseWriter, r *http.Request) {
	token, err := os.ReadFile(saDir + "/token")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	caPEM, err := os.ReadFile(saDir + "/ca.crt")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://kubernetes.default.svc"+r.URL.Query().Get("path"), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	relay(w, client, req)
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	hostname, _ := os.Hostname()
	s := &server{failed: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, hostname) })
	mux.HandleFunc("GET /healthz", s.probe("healthz"))
	mux.HandleFunc("GET /readyz", s.probe("readyz"))
	mux.HandleFunc("POST /fail/{probe}", s.setProbe(true))
	mux.HandleFunc("POST /heal/{probe}", s.setProbe(false))
	mux.HandleFunc("/file", file)
	mux.HandleFunc("GET /dns", dns)
	mux.HandleFunc("GET /fetch", fetch)
	mux.HandleFunc("GET /kube", kube)
	mux.HandleFunc("GET /env", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, os.Getenv(r.URL.Query().Get("name"))) })

	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("http-test-server %s listening on :%s", hostname, port)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
