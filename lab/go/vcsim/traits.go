package main

// Traits that validation rules look for (see lab/vsphere/README.md, "Traits").
//
// What vcsim's vSphere API accepts is set the way a client would: configuration options and
// devices in the VM's ConfigSpec (applyConfigTraits, traitDevices), HA, DRS and VM-host rules
// through ReconfigureComputeResource. What it has no API for — DPM, fault tolerance, ballooned
// memory and raw device mappings — is set directly on the simulator's objects once the
// inventory is built and the disks are written, before the server listens (applyTraits).

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// applyConfigTraits adds the spec's optional settings to a VM's ConfigSpec; a VM without
// traits gets exactly the ConfigSpec it had before traits existed.
func applyConfigTraits(config *types.VirtualMachineConfigSpec, spec VMSpec) {
	if spec.SecureBoot {
		config.BootOptions = &types.VirtualMachineBootOptions{EfiSecureBootEnabled: types.NewBool(true)}
	}
	if len(spec.CPUAffinity) > 0 {
		config.CpuAffinity = &types.VirtualMachineAffinityInfo{AffinitySet: spec.CPUAffinity}
	}
	if spec.CPUHotAdd {
		config.CpuHotAddEnabled = types.NewBool(true)
	}
	if spec.CPUHotRemove {
		config.CpuHotRemoveEnabled = types.NewBool(true)
	}
	if spec.MemoryHotAdd {
		config.MemoryHotAddEnabled = types.NewBool(true)
	}
	keys := make([]string, 0, len(spec.ExtraConfig))
	for key := range spec.ExtraConfig {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		config.ExtraConfig = append(config.ExtraConfig, &types.OptionValue{Key: key, Value: spec.ExtraConfig[key]})
	}
}

// traitDevices returns the extra devices a spec names, keyed after the ones already listed.
func traitDevices(devices object.VirtualDeviceList, names []string) ([]types.BaseVirtualDevice, error) {
	var out []types.BaseVirtualDevice
	for _, name := range names {
		key := append(devices, out...).NewKey()
		var device types.BaseVirtualDevice
		switch name {
		case "pci_passthrough": // a GPU handed to the VM by its host (DirectPath I/O)
			device = &types.VirtualPCIPassthrough{VirtualDevice: types.VirtualDevice{
				Key: key,
				Backing: &types.VirtualPCIPassthroughDeviceBackingInfo{
					VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "NVIDIA Tesla T4"},
					Id:                             "0000:3b:00.0",
					DeviceId:                       "1eb8",
					SystemId:                       "5f3c9a2e-7d41-4c2b-9a1e-3b8d2c6f0a11",
					VendorId:                       0x10de,
				},
			}}
		case "usb_xhci":
			device = &types.VirtualUSBXHCIController{
				VirtualController:  types.VirtualController{VirtualDevice: types.VirtualDevice{Key: key}},
				AutoConnectDevices: types.NewBool(true),
			}
		case "tpm":
			device = &types.VirtualTPM{VirtualDevice: types.VirtualDevice{Key: key}}
		default:
			return nil, fmt.Errorf("unknown device trait %q", name)
		}
		out = append(out, device)
	}
	return out, nil
}

// applyTraits sets the cluster services and the VM traits vcsim has no API for.
func applyTraits(ctx context.Context, c *vim25.Client, dcs map[string]*datacenter, spec Spec, vms []VMInfo) error {
	morefs := map[string]string{}
	for _, vm := range vms {
		morefs[vm.Name] = vm.Moref
	}
	for _, dcSpec := range spec.Datacenters {
		d := dcs[dcSpec.Name]
		for _, cs := range dcSpec.Clusters {
			if err := configureCluster(ctx, c, d, cs, morefs); err != nil {
				return fmt.Errorf("cluster %s: %w", cs.Name, err)
			}
		}
	}
	for i, vmSpec := range spec.VMs {
		if err := vmTraits(vmSpec, vms[i]); err != nil {
			return fmt.Errorf("vm %s: %w", vmSpec.Name, err)
		}
	}
	return nil
}

func configureCluster(ctx context.Context, c *vim25.Client, d *datacenter, cs ClusterSpec, vmMorefs map[string]string) error {
	ref := types.ManagedObjectReference{Type: "ClusterComputeResource", Value: d.info.Clusters[cs.Name]}
	config := &types.ClusterConfigSpecEx{}
	changed := false
	if cs.HA {
		config.DasConfig = &types.ClusterDasConfigInfo{Enabled: types.NewBool(true)}
		changed = true
	}
	if cs.DRS != nil {
		config.DrsConfig = &types.ClusterDrsConfigInfo{Enabled: types.NewBool(*cs.DRS)}
		changed = true
	}
	for _, rule := range cs.VMHostRules {
		vmGroup := &types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: rule.Name + "-vms"}}
		for _, name := range rule.VMs {
			moref, ok := vmMorefs[name]
			if !ok {
				return fmt.Errorf("rule %s: unknown VM %q", rule.Name, name)
			}
			vmGroup.Vm = append(vmGroup.Vm, types.ManagedObjectReference{Type: "VirtualMachine", Value: moref})
		}
		hostGroup := &types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: rule.Name + "-hosts"}}
		for _, name := range rule.Hosts {
			host, ok := d.hosts[name]
			if !ok {
				return fmt.Errorf("rule %s: unknown host %q", rule.Name, name)
			}
			hostGroup.Host = append(hostGroup.Host, host.Reference())
		}
		add := types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd}
		config.GroupSpec = append(config.GroupSpec,
			types.ClusterGroupSpec{ArrayUpdateSpec: add, Info: vmGroup},
			types.ClusterGroupSpec{ArrayUpdateSpec: add, Info: hostGroup})
		config.RulesSpec = append(config.RulesSpec, types.ClusterRuleSpec{ArrayUpdateSpec: add, Info: &types.ClusterVmHostRuleInfo{
			ClusterRuleInfo:     types.ClusterRuleInfo{Name: rule.Name, Enabled: types.NewBool(true), Mandatory: types.NewBool(rule.Mandatory)},
			VmGroupName:         vmGroup.Name,
			AffineHostGroupName: hostGroup.Name,
		}})
		changed = true
	}
	if changed {
		cluster := object.NewClusterComputeResource(c, ref)
		if _, err := waitRef(cluster.Reconfigure(ctx, config, true)); err != nil {
			return err
		}
	}
	if cs.DPM { // vcsim's ReconfigureComputeResource ignores dpmConfig
		cluster, ok := registry.Get(ref).(*simulator.ClusterComputeResource)
		if !ok {
			return fmt.Errorf("not in the simulator")
		}
		cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DpmConfigInfo = &types.ClusterDpmConfigInfo{
			Enabled: types.NewBool(true), DefaultDpmBehavior: types.DpmBehaviorAutomated,
		}
	}
	return nil
}

// vmTraits sets fault tolerance, ballooned memory and RDM backings on the simulator's VM.
func vmTraits(spec VMSpec, info VMInfo) error {
	rdm := map[int32]bool{}
	for i, disk := range spec.Disks {
		if disk.RDM {
			rdm[info.Disks[i].Key] = true
		}
	}
	if !spec.FaultTolerance && spec.BalloonedMemoryMB == 0 && len(rdm) == 0 {
		return nil
	}
	vm, ok := registry.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: info.Moref}).(*simulator.VirtualMachine)
	if !ok {
		return fmt.Errorf("not in the simulator")
	}
	if spec.FaultTolerance {
		// The primary of an FT pair; the secondary lives on another host and is not in the inventory.
		secondary := uuid.NewSHA1(uuid.NameSpaceURL, []byte("mtvweb-lab/ft/"+spec.Name)).String()
		vm.Config.FtInfo = &types.FaultTolerancePrimaryConfigInfo{FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{
			Role:          1,
			InstanceUuids: []string{vm.Config.InstanceUuid, secondary},
			ConfigPaths:   []string{vm.Config.Files.VmPathName, vm.Config.Files.VmPathName},
		}}
		if spec.PoweredOn {
			vm.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceStateRunning
		} else {
			vm.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceStateEnabled
		}
	}
	if spec.BalloonedMemoryMB > 0 {
		vm.Summary.QuickStats.BalloonedMemory = spec.BalloonedMemoryMB
	}
	for _, device := range vm.Config.Hardware.Device {
		disk, ok := device.(*types.VirtualDisk)
		if !ok || !rdm[disk.Key] {
			continue
		}
		flat, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			return fmt.Errorf("disk %d has no flat backing to turn into an RDM", disk.Key)
		}
		lun := uuid.NewSHA1(uuid.NameSpaceURL, []byte("mtvweb-lab/rdm/"+flat.FileName))
		naa := fmt.Sprintf("naa.6000c29%x", lun[:12])
		// A physical-mode RDM: vSphere reports such a disk as independent_persistent.
		disk.Backing = &types.VirtualDiskRawDiskMappingVer1BackingInfo{
			VirtualDeviceFileBackingInfo: flat.VirtualDeviceFileBackingInfo,
			LunUuid:                      fmt.Sprintf("0200000000%x", lun[:16]),
			DeviceName:                   "/vmfs/devices/disks/" + naa,
			CompatibilityMode:            string(types.VirtualDiskCompatibilityModePhysicalMode),
			DiskMode:                     string(types.VirtualDiskModeIndependent_persistent),
			Uuid:                         flat.Uuid,
		}
	}
	return nil
}
