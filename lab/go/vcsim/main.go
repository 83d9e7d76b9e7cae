// Command vcsim-lab is govmomi's vCenter simulator (vcsim) with the inventory the mtvweb
// lab needs: it builds datacenters, hosts, datastores, networks and VMs from a JSON spec,
// fills every VM disk with known bytes, writes a manifest (morefs, paths, BLAKE3 digests),
// then serves the vSphere API and /folder/ datastore access over TLS with one login.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8989", "address to serve on")
	certFile := flag.String("cert", "", "TLS certificate (PEM)")
	keyFile := flag.String("key", "", "TLS key (PEM)")
	user := flag.String("username", "administrator@vsphere.local", "the only user that can log in")
	password := flag.String("password", "", "its password")
	specFile := flag.String("spec", "", "inventory spec (JSON)")
	dsRoot := flag.String("datastores", "", "directory holding the datastore directories")
	manifestFile := flag.String("manifest", "", "where to write what was built (JSON)")
	workers := flag.Int("workers", runtime.NumCPU(), "disk writers")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the build phase here")
	flag.Parse()
	log.SetOutput(quietLog{os.Stderr})
	if *specFile == "" || *dsRoot == "" || *manifestFile == "" || *password == "" || *certFile == "" {
		log.Fatal("-spec, -datastores, -manifest, -password, -cert and -key are required")
	}

	var spec Spec
	if err := readJSON(*specFile, &spec); err != nil {
		log.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}

	// vcsim poses as vCenter 6.5 by default; clients then negotiate the 6.5 API, which has no
	// type for devices added since (a vTPM reads as a bare VirtualDevice). Pose as 7.0.3.
	about := &vpx.ServiceContent.About
	about.FullName, about.Version, about.Build = "VMware vCenter Server 7.0.3 build-19480866", "7.0.3", "19480866"
	about.ApiVersion, about.LicenseProductVersion = "7.0.3.0", "7.0"

	model := simulator.VPX()
	model.Datacenter, model.Portgroup, model.Host, model.Cluster = 0, 0, 0, 0
	model.ClusterHost, model.Datastore, model.Machine, model.Autostart = 0, 0, 0, false
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove() // vcsim's own temp dir; our datastores are elsewhere and stay

	started := time.Now()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
	}
	gcPercent := debug.SetGCPercent(200) // building allocates a lot of short-lived garbage
	manifest, err := build(context.Background(), model.Service, spec, *dsRoot, *workers)
	if err != nil {
		log.Fatal(err)
	}
	pprof.StopCPUProfile()
	debug.SetGCPercent(gcPercent)
	debug.FreeOSMemory()
	if err := writeJSON(*manifestFile, manifest); err != nil {
		log.Fatal(err)
	}
	log.Printf("built %d VMs in %s", len(manifest.VMs), time.Since(started).Round(time.Millisecond))

	s := model.Service
	s.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *password)}
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	requireLogin(s, *user, *password)
	changes := newTracker(manifest.VMs, spec.VMs)
	s.Context.Map.AddHandler(changes)
	frontSDK(s, changes)
	handleGuestWrites(s, changes, *user, *password)
	server := s.NewServer()
	log.Printf("serving https://%s/sdk", server.URL.Host)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	server.Close()
}

func build(ctx context.Context, svc *simulator.Service, spec Spec, dsRoot string, workers int) (*Manifest, error) {
	registry = svc.Context.Map
	c, err := vim25.NewClient(ctx, svc)
	if err != nil {
		return nil, err
	}
	manifest := &Manifest{}
	dcs := map[string]*datacenter{}
	for _, dcSpec := range spec.Datacenters {
		d, err := buildDatacenter(ctx, c, dcSpec, dsRoot)
		if err != nil {
			return nil, err
		}
		dcs[dcSpec.Name] = d
		manifest.Datacenters = append(manifest.Datacenters, d.info)
	}
	vms, err := createVMs(ctx, c, dcs, spec.VMs)
	if err != nil {
		return nil, err
	}
	manifest.VMs = vms
	if err := writeDisks(manifest.VMs, spec.VMs, workers); err != nil {
		return nil, err
	}
	if err := applyTraits(ctx, c, dcs, spec, manifest.VMs); err != nil {
		return nil, err
	}
	return manifest, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// quietLog drops vcsim's routine "FileAlreadyExists" lines: it probes for free disk file
// names (vm.vmdk, vm_1.vmdk, ...) and logs every taken one, thousands of lines per build.
type quietLog struct{ w io.Writer }

func (q quietLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("*types.FileAlreadyExists")) {
		return len(p), nil
	}
	return q.w.Write(p)
}
