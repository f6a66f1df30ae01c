// The controller-runtime side of the Switchboard benchmark: the same work as
// bench/src/subjects, done the way a Go operator would do it, against the same
// API server. One mode per process (memory figures must not mix); the bench
// command drives it over stdin/stdout:
//
//	stdout, one JSON object per line: {"event":"ready"} once caches are
//	synced, then {"event":"result", ...} with the figures.
//	stdin: closed by the driver when its writes are done (modes that wait).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

var (
	kubeconfig   = flag.String("kubeconfig", "", "kubeconfig of the API server")
	namespace    = flag.String("namespace", "", "namespace of the objects")
	mode         = flag.String("mode", "", "sync | watch | reconcile | status | queue")
	metadataOnly = flag.Bool("metadata-only", false, "sync: cache PartialObjectMetadata")
	strip        = flag.Bool("strip", false, "sync: drop managedFields before caching")
	concurrency  = flag.Int("concurrency", 1, "reconcile/status: MaxConcurrentReconciles")
	expect       = flag.Int("expect", 0, "reconcile/status: report once this many reconciles (status: writes) are done; 0 waits for stdin to close")
	records      = flag.String("records", "", "watch/reconcile: write 'resourceVersion wallMs' lines here")
	ops          = flag.Int("ops", 100000, "queue: items")
	token        = flag.String("token", "", "status: the value status.observed must reach")
	settleMs     = flag.Int("settle-ms", 1000, "sync: pause before measuring at rest")
)

func now() float64 { return float64(time.Now().UnixNano()) / 1e6 }

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func die(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func config() *rest.Config {
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		die(err)
	}
	// controller-runtime's own GetConfig turns client-side rate limiting off
	// (it relies on API priority and fairness); do the same.
	cfg.QPS = -1
	return cfg
}

// memory reads VmRSS and VmHWM (peak RSS) of this process, in bytes.
func memory() (rss, peak int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v * 1024
		case "VmHWM:":
			peak = v * 1024
		}
	}
	return
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func waitStdinClosed() { _, _ = io.Copy(io.Discard, os.Stdin) }

// recorder keeps (resourceVersion, time) pairs and writes them once.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) add(rv string) {
	t := now()
	r.mu.Lock()
	r.lines = append(r.lines, rv+" "+strconv.FormatFloat(t, 'f', 3, 64))
	r.mu.Unlock()
}

func (r *recorder) write() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *records != "" {
		if err := os.WriteFile(*records, []byte(strings.Join(r.lines, "\n")+"\n"), 0o644); err != nil {
			die(err)
		}
	}
	return len(r.lines)
}

func syncMode(ctx context.Context) {
	before := liveHeap()
	baseRss, _ := memory()
	opts := cache.Options{
		Scheme:            clientgoscheme.Scheme,
		DefaultNamespaces: map[string]cache.Config{*namespace: {}},
	}
	if *strip {
		opts.DefaultTransform = cache.TransformStripManagedFields()
	}
	c, err := cache.New(config(), opts)
	if err != nil {
		die(err)
	}
	start := now()
	var obj client.Object = &corev1.ConfigMap{}
	var list client.ObjectList = &corev1.ConfigMapList{}
	if *metadataOnly {
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"})
		ml := &metav1.PartialObjectMetadataList{}
		ml.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMapList"})
		obj, list = m, ml
	}
	if _, err := c.GetInformer(ctx, obj); err != nil {
		die(err)
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		die(fmt.Errorf("cache did not sync"))
	}
	synced := now()
	if err := c.List(ctx, list, client.InNamespace(*namespace)); err != nil {
		die(err)
	}
	n := listLen(list)
	_, peak := memory()
	time.Sleep(time.Duration(*settleMs) * time.Millisecond)
	heap := liveHeap() - before
	rss, _ := memory()
	emit(map[string]any{"event": "result", "syncMs": synced - start, "objects": n,
		"peakRssBytes": peak, "restRssBytes": rss, "heapBytes": heap, "baseRssBytes": baseRss})
	runtime.KeepAlive(c)
}

func listLen(l client.ObjectList) int {
	switch v := l.(type) {
	case *corev1.ConfigMapList:
		return len(v.Items)
	case *metav1.PartialObjectMetadataList:
		return len(v.Items)
	}
	return 0
}

func watchMode(ctx context.Context) {
	c, err := cache.New(config(), cache.Options{
		Scheme:            clientgoscheme.Scheme,
		DefaultNamespaces: map[string]cache.Config{*namespace: {}},
		DefaultTransform:  cache.TransformStripManagedFields(),
	})
	if err != nil {
		die(err)
	}
	inf, err := c.GetInformer(ctx, &corev1.ConfigMap{})
	if err != nil {
		die(err)
	}
	rec := &recorder{}
	if _, err := inf.AddEventHandler(funcs{update: func(o any) {
		rec.add(o.(*corev1.ConfigMap).ResourceVersion)
	}}); err != nil {
		die(err)
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		die(fmt.Errorf("cache did not sync"))
	}
	emit(map[string]any{"event": "ready"})
	waitStdinClosed()
	emit(map[string]any{"event": "result", "events": rec.write()})
}

type funcs struct{ update func(any) }

func (f funcs) OnAdd(any, bool)        {}
func (f funcs) OnUpdate(_, newObj any) { f.update(newObj) }
func (f funcs) OnDelete(any)           {}

// counter reports the first reconcile start and the expect-th reconcile end.
type counter struct {
	n           atomic.Int64
	first, last atomic.Value
	done        chan struct{}
	once        sync.Once
}

func newCounter() *counter {
	c := &counter{done: make(chan struct{})}
	return c
}

func (c *counter) begin() { c.first.CompareAndSwap(nil, now()) }

func (c *counter) end() {
	if c.n.Add(1) == int64(*expect) && *expect > 0 {
		c.last.Store(now())
		c.once.Do(func() { close(c.done) })
	}
}

func (c *counter) result() map[string]any {
	out := map[string]any{"event": "result", "count": c.n.Load()}
	if f, ok := c.first.Load().(float64); ok {
		out["firstMs"] = f
	}
	if l, ok := c.last.Load().(float64); ok {
		out["lastMs"] = l
	}
	return out
}

func newManager() manager.Manager {
	mgr, err := manager.New(config(), manager.Options{
		Scheme:                 clientgoscheme.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache: cache.Options{
			DefaultNamespaces: map[string]cache.Config{*namespace: {}},
			DefaultTransform:  cache.TransformStripManagedFields(),
		},
	})
	if err != nil {
		die(err)
	}
	return mgr
}

func runManager(ctx context.Context, mgr manager.Manager, cnt *counter, rec *recorder) {
	go func() {
		if err := mgr.Start(ctx); err != nil {
			die(err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		die(fmt.Errorf("cache did not sync"))
	}
	emit(map[string]any{"event": "ready"})
	if *expect > 0 {
		<-cnt.done
	} else {
		waitStdinClosed()
	}
	out := cnt.result()
	if rec != nil {
		out["records"] = rec.write()
	}
	emit(out)
}

// reconcileMode: a no-op reconciler that reads its object from the cache.
func reconcileMode(ctx context.Context) {
	mgr := newManager()
	cnt := newCounter()
	rec := &recorder{}
	r := reconcile.Func(func(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
		cnt.begin()
		var cm corev1.ConfigMap
		if err := mgr.GetClient().Get(ctx, req.NamespacedName, &cm); err == nil && *records != "" {
			rec.add(cm.ResourceVersion)
		}
		cnt.end()
		return reconcile.Result{}, nil
	})
	err := builder.ControllerManagedBy(mgr).For(&corev1.ConfigMap{}).Named("bench").
		WithOptions(controller.Options{MaxConcurrentReconciles: *concurrency}).Complete(r)
	if err != nil {
		die(err)
	}
	runManager(ctx, mgr, cnt, rec)
}

var widgetGVK = schema.GroupVersionKind{Group: "bench.switchboard.dev", Version: "v1", Kind: "Widget"}

// statusMode: one status write per Widget whose status.observed is not the run's token.
func statusMode(ctx context.Context) {
	mgr := newManager()
	cnt := newCounter()
	r := reconcile.Func(func(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
		cnt.begin()
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(widgetGVK)
		if err := mgr.GetClient().Get(ctx, req.NamespacedName, u); err != nil {
			return reconcile.Result{}, client.IgnoreNotFound(err)
		}
		have, _, _ := unstructured.NestedString(u.Object, "status", "observed")
		if have == *token {
			return reconcile.Result{}, nil
		}
		patch := []byte(fmt.Sprintf(`{"status":{"observed":%q}}`, *token))
		if err := mgr.GetClient().Status().Patch(ctx, u, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return reconcile.Result{}, err
		}
		cnt.end()
		return reconcile.Result{}, nil
	})
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(widgetGVK)
	err := builder.ControllerManagedBy(mgr).For(u).Named("bench-status").
		WithOptions(controller.Options{MaxConcurrentReconciles: *concurrency}).Complete(r)
	if err != nil {
		die(err)
	}
	runManager(ctx, mgr, cnt, nil)
}

// queueMode: add N distinct keys, then get and done each, in one goroutine
// each side, for client-go's workqueue and controller-runtime's priority queue.
func queueMode() {
	keys := make([]reconcile.Request, *ops)
	for i := range keys {
		keys[i] = reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "bench", Name: "cm-" + strconv.Itoa(i)}}
	}
	type q interface {
		Add(reconcile.Request)
		Get() (reconcile.Request, bool)
		Done(reconcile.Request)
		ShutDown()
	}
	run := func(queue q) float64 {
		start := time.Now()
		for _, k := range keys {
			queue.Add(k)
		}
		for range keys {
			k, _ := queue.Get()
			queue.Done(k)
		}
		el := time.Since(start).Seconds()
		queue.ShutDown()
		return float64(len(keys)) / el
	}
	cg := run(workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()))
	pq := run(priorityqueue.New[reconcile.Request]("bench"))
	emit(map[string]any{"event": "result", "clientGoItemsPerSec": cg, "priorityQueueItemsPerSec": pq})
}

func main() {
	flag.Parse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	switch *mode {
	case "sync":
		syncMode(ctx)
	case "watch":
		watchMode(ctx)
	case "reconcile":
		reconcileMode(ctx)
	case "status":
		statusMode(ctx)
	case "queue":
		queueMode()
	default:
		die(fmt.Errorf("unknown -mode %q", *mode))
	}
}
