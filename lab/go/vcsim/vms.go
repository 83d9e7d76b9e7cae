package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// createVM creates one VM as the spec says (devices, firmware, CBT, snapshots, power) and
// returns what it became. Disk contents are written later by writeDisks.
func createVM(ctx context.Context, c *vim25.Client, d *datacenter, spec VMSpec, sharedCreated map[string]bool) (VMInfo, error) {
	info := VMInfo{Name: spec.Name, Datacenter: spec.Datacenter, Host: spec.Host, PoweredOn: spec.PoweredOn,
		Firmware: spec.Firmware, CBT: spec.CBT, NICs: spec.NICs, Snapshots: []SnapshotInfo{}}
	folder, ok := d.vmFolders[spec.Folder]
	host, hostOK := d.hosts[spec.Host]
	if !ok || !hostOK {
		return info, fmt.Errorf("vm %s: unknown folder %q or host %q", spec.Name, spec.Folder, spec.Host)
	}
	devices, attach, err := vmDevices(d, spec, sharedCreated)
	if err != nil {
		return info, fmt.Errorf("vm %s: %w", spec.Name, err)
	}
	config := types.VirtualMachineConfigSpec{
		Name:                  spec.Name,
		GuestId:               spec.GuestID,
		NumCPUs:               spec.CPUs,
		MemoryMB:              spec.MemoryMB,
		Firmware:              spec.Firmware,
		ChangeTrackingEnabled: types.NewBool(spec.CBT),
		Files:                 &types.VirtualMachineFileInfo{VmPathName: "[" + spec.Datastore + "]"},
	}
	applyConfigTraits(&config, spec)
	if config.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd); err != nil {
		return info, err
	}
	for _, change := range config.DeviceChange {
		if attach[change.GetVirtualDeviceConfigSpec().Device] {
			// No file operation: use the existing backing (with its capacity) instead of creating one.
			change.GetVirtualDeviceConfigSpec().FileOperation = ""
		}
	}
	ref, err := waitRef(folder.CreateVM(ctx, config, d.pools[spec.Host], host))
	if err != nil {
		return info, fmt.Errorf("vm %s: %w", spec.Name, err)
	}
	vm := object.NewVirtualMachine(c, ref)
	info.Moref = ref.Value
	if info.Disks, info.UUID, err = diskInfos(ctx, vm, d, spec); err != nil {
		return info, fmt.Errorf("vm %s: %w", spec.Name, err)
	}
	for _, name := range spec.Snapshots {
		snap, err := waitRef(vm.CreateSnapshot(ctx, name, "lab snapshot "+name, false, false))
		if err != nil {
			return info, fmt.Errorf("vm %s snapshot %s: %w", spec.Name, name, err)
		}
		info.Snapshots = append(info.Snapshots, SnapshotInfo{Name: name, Moref: snap.Value})
	}
	if spec.PoweredOn {
		if _, err := waitRef(vm.PowerOn(ctx)); err != nil {
			return info, fmt.Errorf("vm %s power on: %w", spec.Name, err)
		}
	}
	return info, nil
}

// vmDevices returns the VM's new devices and which of them attach an existing shared disk.
func vmDevices(d *datacenter, spec VMSpec, sharedCreated map[string]bool) (object.VirtualDeviceList, map[types.BaseVirtualDevice]bool, error) {
	var devices object.VirtualDeviceList
	attach := map[types.BaseVirtualDevice]bool{}
	scsiType := "pvscsi"
	if strings.HasPrefix(spec.GuestID, "windows") {
		scsiType = "lsilogic-sas"
	}
	scsi, err := devices.CreateSCSIController(scsiType)
	if err != nil {
		return nil, nil, err
	}
	devices = append(devices, scsi)
	controller := scsi.(types.BaseVirtualController)
	for _, ds := range spec.Disks {
		disk := devices.CreateDisk(controller, types.ManagedObjectReference{}, "")
		backing := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		backing.FileName = "[" + ds.Datastore + "]" // vcsim names it <vm>/<vm>[_N].vmdk, as vSphere does
		disk.CapacityInBytes = ds.Capacity
		disk.CapacityInKB = ds.Capacity / 1024
		if ds.Mode != "" {
			backing.DiskMode = ds.Mode
		}
		if ds.SharedFile != "" {
			backing.FileName = ds.SharedFile
			backing.Sharing = string(types.VirtualDiskSharingSharingMultiWriter)
			backing.ThinProvisioned = types.NewBool(false)
			backing.EagerlyScrub = types.NewBool(true)
			if sharedCreated[ds.SharedFile] {
				attach[disk] = true
			} else if err := mkdirForDatastorePath(d, ds.SharedFile); err != nil {
				return nil, nil, err
			}
			sharedCreated[ds.SharedFile] = true
		}
		devices = append(devices, disk)
	}
	for _, n := range spec.NICs {
		backing, ok := d.nics[n.Network]
		if !ok {
			return nil, nil, fmt.Errorf("unknown network %q", n.Network)
		}
		device, err := devices.CreateEthernetCard(n.Type, backing)
		if err != nil {
			return nil, nil, err
		}
		card := device.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		card.MacAddress = n.MAC
		card.AddressType = string(types.VirtualEthernetCardMacTypeAssigned)
		devices = append(devices, device)
	}
	extra, err := traitDevices(devices, spec.Devices)
	if err != nil {
		return nil, nil, err
	}
	return append(devices, extra...), attach, nil
}

// mkdirForDatastorePath creates the parent directory of "[ds] dir/file.vmdk" (vcsim does not).
func mkdirForDatastorePath(d *datacenter, p string) error {
	local, err := localPath(d, p)
	if err != nil {
		return err
	}
	return os.MkdirAll(filepath.Dir(local), 0o755)
}

func localPath(d *datacenter, datastorePath string) (string, error) {
	var p object.DatastorePath
	if !p.FromString(datastorePath) {
		return "", fmt.Errorf("bad datastore path %q", datastorePath)
	}
	dir, ok := d.dsDirs[p.Datastore]
	if !ok {
		return "", fmt.Errorf("unknown datastore in %q", datastorePath)
	}
	return filepath.Join(dir, filepath.FromSlash(p.Path)), nil
}

// diskInfos reads back the disks vcsim created, in device order (the spec's order).
func diskInfos(ctx context.Context, vm *object.VirtualMachine, d *datacenter, spec VMSpec) ([]DiskInfo, string, error) {
	var mvm mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.hardware.device", "config.uuid"}, &mvm); err != nil {
		return nil, "", err
	}
	disks := object.VirtualDeviceList(mvm.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil))
	if len(disks) != len(spec.Disks) {
		return nil, "", fmt.Errorf("expected %d disks, vcsim made %d", len(spec.Disks), len(disks))
	}
	var out []DiskInfo
	for i, device := range disks {
		disk := device.(*types.VirtualDisk)
		file := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName
		flat := strings.Replace(file, ".vmdk", "-flat.vmdk", 1)
		local, err := localPath(d, flat)
		if err != nil {
			return nil, "", err
		}
		if disk.CapacityInBytes != spec.Disks[i].Capacity {
			return nil, "", fmt.Errorf("disk %s has capacity %d, want %d", file, disk.CapacityInBytes, spec.Disks[i].Capacity)
		}
		out = append(out, DiskInfo{
			Key:       disk.Key,
			File:      file,
			FlatFile:  flat,
			Datastore: spec.Disks[i].Datastore,
			Capacity:  spec.Disks[i].Capacity,
			Shared:    spec.Disks[i].SharedFile != "",
			LocalPath: local,
		})
	}
	return out, mvm.Config.Uuid, nil
}

// createVMs creates the VMs, the many concurrently: each vcsim task wait idles ~20 ms in the
// PropertyCollector, so overlapping them is what makes 10,000 VMs affordable. VMs with a
// shared disk go first, one by one, so the disk exists before others attach it.
func createVMs(ctx context.Context, c *vim25.Client, dcs map[string]*datacenter, specs []VMSpec) ([]VMInfo, error) {
	out := make([]VMInfo, len(specs))
	sharedCreated := map[string]bool{}
	var parallel []int
	for i, spec := range specs {
		d, ok := dcs[spec.Datacenter]
		if !ok {
			return nil, fmt.Errorf("vm %s: unknown datacenter %q", spec.Name, spec.Datacenter)
		}
		if !hasSharedDisk(spec) {
			parallel = append(parallel, i)
			continue
		}
		info, err := createVM(ctx, c, d, spec, sharedCreated)
		if err != nil {
			return nil, err
		}
		out[i] = info
	}
	queue := make(chan int)
	errs := make(chan error, len(parallel))
	var wg sync.WaitGroup
	var done atomic.Int64
	for range createWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				info, err := createVM(ctx, c, dcs[specs[i].Datacenter], specs[i], nil)
				if err != nil {
					errs <- err
					continue
				}
				out[i] = info
				if n := done.Add(1); n%1000 == 0 {
					log.Printf("created %d VMs", n)
				}
			}
		}()
	}
	for _, i := range parallel {
		queue <- i
	}
	close(queue)
	wg.Wait()
	close(errs)
	return out, <-errs
}

const createWorkers = 8

func hasSharedDisk(spec VMSpec) bool {
	for _, d := range spec.Disks {
		if d.SharedFile != "" {
			return true
		}
	}
	return false
}
