package main

// The inventory spec (written by lab/vsphere/layout.py) and the manifest we write back.
// The spec says what to build; the manifest says what was built (morefs, paths, hashes).

type Spec struct {
	Datacenters []DatacenterSpec `json:"datacenters"`
	VMs         []VMSpec         `json:"vms"`
}

type DatacenterSpec struct {
	Name            string        `json:"name"`
	VMFolders       []string      `json:"vm_folders"` // slash-separated paths under the vm folder, parents first
	Clusters        []ClusterSpec `json:"clusters"`
	StandaloneHosts []string      `json:"standalone_hosts"`
	Datastores      []string      `json:"datastores"`
	// Standard portgroups besides vcsim's default "VM Network".
	Portgroups []string `json:"portgroups"`
	DVS        *DVSSpec `json:"dvs,omitempty"`
}

type ClusterSpec struct {
	Name  string   `json:"name"`
	Hosts []string `json:"hosts"`
	// Cluster services (traits.go). DRS is on in a vcsim cluster unless DRS is false here.
	HA          bool             `json:"ha,omitempty"`
	DRS         *bool            `json:"drs,omitempty"`
	DPM         bool             `json:"dpm,omitempty"`
	VMHostRules []VMHostRuleSpec `json:"vm_host_rules,omitempty"`
}

// VMHostRuleSpec is a VM-host affinity rule: a VM group kept on a host group.
type VMHostRuleSpec struct {
	Name      string   `json:"name"`
	VMs       []string `json:"vms"`   // VM names (created before the rule)
	Hosts     []string `json:"hosts"` // host names of the cluster
	Mandatory bool     `json:"mandatory,omitempty"`
}

type DVSSpec struct {
	Name       string   `json:"name"`
	Portgroups []string `json:"portgroups"`
}

type VMSpec struct {
	Name       string     `json:"name"`
	Datacenter string     `json:"datacenter"`
	Folder     string     `json:"folder"` // "" for the datacenter's vm folder
	Host       string     `json:"host"`
	Datastore  string     `json:"datastore"`
	GuestID    string     `json:"guest_id"`
	CPUs       int32      `json:"cpus"`
	MemoryMB   int64      `json:"memory_mb"`
	Firmware   string     `json:"firmware"` // bios | efi
	PoweredOn  bool       `json:"powered_on"`
	CBT        bool       `json:"cbt"`
	Snapshots  []string   `json:"snapshots"` // created in order, each a child of the previous
	NICs       []NICSpec  `json:"nics"`
	Disks      []DiskSpec `json:"disks"`
	// Traits validation rules look for; all optional, absent means vSphere's default.
	SecureBoot        bool              `json:"secure_boot,omitempty"`  // needs firmware efi
	CPUAffinity       []int32           `json:"cpu_affinity,omitempty"` // host CPUs the VM may run on
	CPUHotAdd         bool              `json:"cpu_hot_add,omitempty"`
	CPUHotRemove      bool              `json:"cpu_hot_remove,omitempty"`
	MemoryHotAdd      bool              `json:"memory_hot_add,omitempty"`
	ExtraConfig       map[string]string `json:"extra_config,omitempty"`        // e.g. numa.nodeAffinity, scsi0:2.ctkEnabled
	Devices           []string          `json:"devices,omitempty"`             // pci_passthrough | usb_xhci | tpm
	FaultTolerance    bool              `json:"fault_tolerance,omitempty"`     // config.ftInfo as an FT primary
	BalloonedMemoryMB int32             `json:"ballooned_memory_mb,omitempty"` // summary.quickStats.balloonedMemory
}

type NICSpec struct {
	Network string `json:"network"` // a standard portgroup or a distributed portgroup name
	MAC     string `json:"mac"`
	Type    string `json:"type"` // vmxnet3 | e1000e | e1000 | sriov
}

type DiskSpec struct {
	Datastore string `json:"datastore"`
	Capacity  int64  `json:"capacity"` // bytes, a multiple of 1 KiB
	Seed      string `json:"seed"`     // data bytes are the BLAKE3 XOF of this seed at their offset
	// Extents that hold bytes; everything else is a hole. Kind "data" or "zero" (allocated zeros).
	Extents []ExtentSpec `json:"extents"`
	// A multi-writer disk at this datastore path ("[ds] dir/name.vmdk"). The first VM that
	// names it creates it; later ones attach the same backing.
	SharedFile string `json:"shared_file,omitempty"`
	// The backing's diskMode (persistent when empty), e.g. independent_persistent.
	Mode string `json:"mode,omitempty"`
	// A physical-mode raw device mapping: built as a flat disk (so its bytes are served like the
	// others) whose backing then becomes an RDM one (traits.go).
	RDM bool `json:"rdm,omitempty"`
	// A raw image on this machine whose bytes the disk gets instead of seeded extents (the
	// lab's real guest, lab/guest); its size must be the capacity.
	Source string `json:"source,omitempty"`
}

type ExtentSpec struct {
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	Kind   string `json:"kind"`
}

type Manifest struct {
	Datacenters []DatacenterInfo `json:"datacenters"`
	VMs         []VMInfo         `json:"vms"`
}

type DatacenterInfo struct {
	Name       string            `json:"name"`
	Moref      string            `json:"moref"`
	Clusters   map[string]string `json:"clusters"`   // name -> moref
	Hosts      map[string]string `json:"hosts"`      // name -> moref
	Datastores map[string]string `json:"datastores"` // name -> moref
	Networks   map[string]string `json:"networks"`   // name -> moref (standard and distributed)
}

type VMInfo struct {
	Name       string         `json:"name"`
	Moref      string         `json:"moref"`
	UUID       string         `json:"uuid"`
	Datacenter string         `json:"datacenter"`
	Host       string         `json:"host"`
	PoweredOn  bool           `json:"powered_on"`
	Firmware   string         `json:"firmware"`
	CBT        bool           `json:"cbt"`
	Snapshots  []SnapshotInfo `json:"snapshots"`
	NICs       []NICSpec      `json:"nics"`
	Disks      []DiskInfo     `json:"disks"`
}

type SnapshotInfo struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
}

type DiskInfo struct {
	Key            int32  `json:"key"`
	File           string `json:"file"`      // descriptor, as in the backing's fileName
	FlatFile       string `json:"flat_file"` // "-flat.vmdk" extent holding the raw bytes
	Datastore      string `json:"datastore"`
	Capacity       int64  `json:"capacity"`
	Blake3         string `json:"blake3"`
	AllocatedBytes int64  `json:"allocated_bytes"`
	Shared         bool   `json:"shared"`
	LocalPath      string `json:"local_path"` // the flat file on this machine
}
