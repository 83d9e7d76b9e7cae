package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// datacenter is what we keep of a built datacenter while creating its VMs.
type datacenter struct {
	dc        *object.Datacenter
	vmFolders map[string]*object.Folder // "" is the datacenter's vm folder
	hosts     map[string]*object.HostSystem
	pools     map[string]*object.ResourcePool // by host name: its cluster's or its own root pool
	dsDirs    map[string]string               // datastore name -> directory on this machine
	nics      map[string]types.BaseVirtualDeviceBackingInfo
	info      DatacenterInfo
}

// buildDatacenter creates one datacenter with its folders, hosts, datastores and networks.
// Datastores live in dsRoot/<dc>/<name>, directories we own (vcsim's temp dirs vanish on exit).
func buildDatacenter(ctx context.Context, c *vim25.Client, spec DatacenterSpec, dsRoot string) (*datacenter, error) {
	root := object.NewRootFolder(c)
	dc, err := root.CreateDatacenter(ctx, spec.Name)
	if err != nil {
		return nil, fmt.Errorf("datacenter %s: %w", spec.Name, err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	d := &datacenter{
		dc:        dc,
		vmFolders: map[string]*object.Folder{"": folders.VmFolder},
		hosts:     map[string]*object.HostSystem{},
		pools:     map[string]*object.ResourcePool{},
		dsDirs:    map[string]string{},
		nics:      map[string]types.BaseVirtualDeviceBackingInfo{},
		info: DatacenterInfo{
			Name: spec.Name, Moref: dc.Reference().Value,
			Clusters: map[string]string{}, Hosts: map[string]string{},
			Datastores: map[string]string{}, Networks: map[string]string{},
		},
	}
	for _, p := range spec.VMFolders {
		parent, ok := d.vmFolders[path.Dir(p)]
		if path.Dir(p) == "." {
			parent, ok = folders.VmFolder, true
		}
		if !ok {
			return nil, fmt.Errorf("vm folder %s: parent not created yet", p)
		}
		if d.vmFolders[p], err = parent.CreateFolder(ctx, path.Base(p)); err != nil {
			return nil, fmt.Errorf("vm folder %s: %w", p, err)
		}
	}
	if err := d.addHosts(ctx, c, spec, folders); err != nil {
		return nil, err
	}
	if err := d.addDatastores(ctx, spec, dsRoot); err != nil {
		return nil, err
	}
	if err := d.addNetworks(ctx, c, spec, folders); err != nil {
		return nil, err
	}
	return d, nil
}

// registry is the simulator's object map; build() sets it before anything is created.
var registry *simulator.Registry

// waitRef waits for a task started in-process and returns the object it produced. It
// watches the simulator's task object directly: a PropertyCollector wait costs a deep copy
// of the task every 20 ms, which dominated building large inventories.
func waitRef(task *object.Task, err error) (types.ManagedObjectReference, error) {
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	t, ok := registry.Get(task.Reference()).(*simulator.Task)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s not found", task.Reference().Value)
	}
	t.Wait()
	if t.Info.Error != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("%s: %s", t.Info.DescriptionId, faultMessage(t.Info.Error))
	}
	ref, _ := t.Info.Result.(types.ManagedObjectReference)
	return ref, nil
}

func faultMessage(f *types.LocalizedMethodFault) string {
	if f.Fault != nil {
		return fmt.Sprintf("%T %+v", f.Fault, f.Fault)
	}
	return f.LocalizedMessage
}

func (d *datacenter) addHosts(ctx context.Context, c *vim25.Client, spec DatacenterSpec, folders *object.DatacenterFolders) error {
	for _, cs := range spec.Clusters {
		cluster, err := folders.HostFolder.CreateCluster(ctx, cs.Name, types.ClusterConfigSpecEx{})
		if err != nil {
			return fmt.Errorf("cluster %s: %w", cs.Name, err)
		}
		d.info.Clusters[cs.Name] = cluster.Reference().Value
		pool, err := cluster.ResourcePool(ctx)
		if err != nil {
			return err
		}
		for _, name := range cs.Hosts {
			ref, err := waitRef(cluster.AddHost(ctx, types.HostConnectSpec{HostName: name}, true, nil, nil))
			if err != nil {
				return fmt.Errorf("host %s: %w", name, err)
			}
			d.hosts[name] = object.NewHostSystem(c, ref)
			d.pools[name] = pool
		}
	}
	for _, name := range spec.StandaloneHosts {
		ref, err := waitRef(folders.HostFolder.AddStandaloneHost(ctx, types.HostConnectSpec{HostName: name}, true, nil, nil))
		if err != nil {
			return fmt.Errorf("host %s: %w", name, err)
		}
		host := object.NewHostSystem(c, ref)
		if d.pools[name], err = host.ResourcePool(ctx); err != nil {
			return err
		}
		d.hosts[name] = host
	}
	for name, host := range d.hosts {
		d.info.Hosts[name] = host.Reference().Value
	}
	return nil
}

// addDatastores mounts every datastore on every host of the datacenter, like shared storage.
func (d *datacenter) addDatastores(ctx context.Context, spec DatacenterSpec, dsRoot string) error {
	for _, name := range spec.Datastores {
		dir := filepath.Join(dsRoot, spec.Name, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		d.dsDirs[name] = dir
		for _, host := range d.hosts {
			dss, err := host.ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(ctx, name, dir); err != nil {
				return fmt.Errorf("datastore %s on %s: %w", name, host.Reference().Value, err)
			}
		}
	}
	datastores, err := find.NewFinder(d.dc.Client(), false).SetDatacenter(d.dc).DatastoreList(ctx, "*")
	if err != nil {
		return err
	}
	for _, ds := range datastores {
		d.info.Datastores[ds.Name()] = ds.Reference().Value
	}
	return nil
}

func (d *datacenter) addNetworks(ctx context.Context, c *vim25.Client, spec DatacenterSpec, folders *object.DatacenterFolders) error {
	for _, name := range spec.Portgroups {
		for _, host := range d.hosts {
			ns, err := host.ConfigManager().NetworkSystem(ctx)
			if err != nil {
				return err
			}
			err = ns.AddPortGroup(ctx, types.HostPortGroupSpec{Name: name, VswitchName: "vSwitch0"})
			// vcsim keeps one Network per datacenter: later hosts report the name as taken.
			if err != nil && !fault.Is(err, &types.DuplicateName{}) {
				return fmt.Errorf("portgroup %s: %w", name, err)
			}
		}
	}
	if spec.DVS != nil {
		if err := d.addDVS(ctx, c, *spec.DVS, folders); err != nil {
			return err
		}
	}
	finder := find.NewFinder(c, false).SetDatacenter(d.dc)
	nets, err := finder.NetworkList(ctx, "*")
	if err != nil {
		return err
	}
	for _, n := range nets {
		name := path.Base(n.GetInventoryPath())
		d.info.Networks[name] = n.Reference().Value
		if n.Reference().Type == "VmwareDistributedVirtualSwitch" || n.Reference().Type == "DistributedVirtualSwitch" {
			continue
		}
		backing, err := n.EthernetCardBackingInfo(ctx)
		if err != nil {
			// The DVS uplink portgroup cannot back a NIC; VMs never use it.
			continue
		}
		d.nics[name] = backing
	}
	return nil
}

func (d *datacenter) addDVS(ctx context.Context, c *vim25.Client, spec DVSSpec, folders *object.DatacenterFolders) error {
	create := types.DVSCreateSpec{ConfigSpec: &types.VMwareDVSConfigSpec{}}
	create.ConfigSpec.GetDVSConfigSpec().Name = spec.Name
	ref, err := waitRef(folders.NetworkFolder.CreateDVS(ctx, create))
	if err != nil {
		return fmt.Errorf("dvs %s: %w", spec.Name, err)
	}
	dvs := object.NewDistributedVirtualSwitch(c, ref)
	members := &types.DVSConfigSpec{}
	for _, host := range d.hosts {
		members.Host = append(members.Host, types.DistributedVirtualSwitchHostMemberConfigSpec{
			Operation: string(types.ConfigSpecOperationAdd),
			Host:      host.Reference(),
		})
	}
	if _, err := waitRef(dvs.Reconfigure(ctx, members)); err != nil {
		return fmt.Errorf("dvs %s hosts: %w", spec.Name, err)
	}
	for _, name := range spec.Portgroups {
		pg := types.DVPortgroupConfigSpec{
			Name:     name,
			Type:     string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding),
			NumPorts: 128,
		}
		if _, err := waitRef(dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{pg})); err != nil {
			return fmt.Errorf("portgroup %s: %w", name, err)
		}
	}
	return nil
}
