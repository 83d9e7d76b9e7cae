package main

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Changed block tracking, which vcsim lacks. Each tracked disk has a sequence number: guest
// writes (see guestwrite.go) are recorded with the current sequence, and a snapshot of a VM
// with changeTrackingEnabled stamps its disks' changeId "<disk id>/<sequence>" and moves the
// sequence on. The areas changed between changeId c and snapshot s are the writes with
// c < seq <= s; changeId "*" means everything allocated as of s.

type extent struct{ off, len int64 }

type write struct {
	seq int64
	extent
}

type trackedDisk struct {
	mu        sync.Mutex
	id        string
	localPath string
	capacity  int64
	initial   []extent // allocated at build time
	writes    []write
	seq       int64
}

type tracker struct {
	disks map[string]*trackedDisk // "<vm moref>/<device key>"
}

func diskRef(vm string, key int32) string { return fmt.Sprintf("%s/%d", vm, key) }

func newTracker(vms []VMInfo, specs []VMSpec) *tracker {
	t := &tracker{disks: map[string]*trackedDisk{}}
	for i, vm := range vms {
		for j, d := range vm.Disks {
			ref := diskRef(vm.Moref, d.Key)
			sum := sha256.Sum256([]byte(ref))
			td := &trackedDisk{id: vSphereStyleID(sum[:16]), localPath: d.LocalPath, capacity: d.Capacity, seq: 1}
			for _, e := range specs[i].Disks[j].Extents {
				td.initial = append(td.initial, extent{e.Offset, e.Length})
			}
			t.disks[ref] = td
		}
	}
	return t
}

// vSphereStyleID formats 16 bytes like vSphere's change ids: "52 1c … 7f-cb 63 … 4a".
func vSphereStyleID(b []byte) string {
	hex := make([]string, len(b))
	for i, x := range b {
		hex[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(hex[:8], " ") + "-" + strings.Join(hex[8:], " ")
}

// Reference, PutObject, UpdateObject and RemoveObject make the tracker a registry handler
// (simulator.RegisterObject): vcsim calls PutObject for every new object, including a
// snapshot right after it copied the VM's config and before the snapshot is visible.
func (t *tracker) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "LabChangeTracker", Value: "cbt"}
}

func (t *tracker) UpdateObject(*simulator.Context, mo.Reference, []types.PropertyChange) {}
func (t *tracker) RemoveObject(*simulator.Context, types.ManagedObjectReference)         {}

func (t *tracker) PutObject(_ *simulator.Context, obj mo.Reference) {
	snap, ok := obj.(*simulator.VirtualMachineSnapshot)
	if !ok {
		return
	}
	vm, ok := registry.Get(snap.Vm).(*simulator.VirtualMachine)
	// The snapshot task holds the VM's lock while it runs, so its config is ours to read.
	if !ok || vm.Config == nil || vm.Config.ChangeTrackingEnabled == nil || !*vm.Config.ChangeTrackingEnabled {
		return
	}
	live := map[int32]*types.VirtualDiskFlatVer2BackingInfo{}
	for _, dev := range vm.Config.Hardware.Device {
		if disk, ok := dev.(*types.VirtualDisk); ok {
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				live[disk.Key] = b
			}
		}
	}
	for _, dev := range snap.Config.Hardware.Device {
		disk, ok := dev.(*types.VirtualDisk)
		if !ok {
			continue
		}
		backing, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		td := t.disks[diskRef(snap.Vm.Value, disk.Key)]
		if !ok || td == nil {
			continue
		}
		td.mu.Lock()
		backing.ChangeId = fmt.Sprintf("%s/%d", td.id, td.seq)
		td.seq++
		td.mu.Unlock()
		if b := live[disk.Key]; b != nil {
			b.ChangeId = backing.ChangeId
		}
	}
}

// changedAreas answers QueryChangedDiskAreas for a VM.
func (t *tracker) changedAreas(req *types.QueryChangedDiskAreas) (*types.DiskChangeInfo, types.BaseMethodFault) {
	td := t.disks[diskRef(req.This.Value, req.DeviceKey)]
	if td == nil {
		return nil, &types.InvalidArgument{InvalidProperty: "deviceKey"}
	}
	vm, ok := registry.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: req.This}
	}
	enabled := false
	registry.WithLock(&simulator.Context{}, vm, func() {
		enabled = vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
	})
	if !enabled {
		return nil, fileFault(td, "change tracking is not enabled for this virtual machine")
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	until := td.seq // no snapshot: the disk as it is now
	if req.Snapshot != nil {
		snap, ok := registry.Get(*req.Snapshot).(*simulator.VirtualMachineSnapshot)
		if !ok {
			return nil, &types.ManagedObjectNotFound{Obj: *req.Snapshot}
		}
		var err types.BaseMethodFault
		if until, err = td.sequenceOf(snapshotChangeID(snap, req.DeviceKey)); err != nil {
			return nil, err
		}
	}
	var areas []extent
	if req.ChangeId == "*" {
		areas = append(areas, td.initial...)
		for _, w := range td.writes {
			if w.seq <= until {
				areas = append(areas, w.extent)
			}
		}
	} else {
		since, err := td.sequenceOf(req.ChangeId)
		if err != nil {
			return nil, err
		}
		for _, w := range td.writes {
			if since < w.seq && w.seq <= until {
				areas = append(areas, w.extent)
			}
		}
	}
	if req.StartOffset < 0 || req.StartOffset > td.capacity {
		return nil, &types.InvalidArgument{InvalidProperty: "startOffset"}
	}
	info := &types.DiskChangeInfo{StartOffset: req.StartOffset, Length: td.capacity - req.StartOffset}
	for _, e := range merge(areas) {
		if end := e.off + e.len; end > req.StartOffset {
			start := max(e.off, req.StartOffset)
			info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: start, Length: end - start})
		}
	}
	return info, nil
}

func snapshotChangeID(snap *simulator.VirtualMachineSnapshot, key int32) string {
	for _, dev := range snap.Config.Hardware.Device {
		if disk, ok := dev.(*types.VirtualDisk); ok && disk.Key == key {
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				return b.ChangeId
			}
		}
	}
	return ""
}

// sequenceOf parses "<id>/<seq>"; td.mu is held.
func (td *trackedDisk) sequenceOf(changeID string) (int64, types.BaseMethodFault) {
	id, seq, ok := strings.Cut(changeID, "/")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || id != td.id || err != nil || n < 1 || n >= td.seq {
		return 0, fileFault(td, fmt.Sprintf("changeId %q is not valid for this disk", changeID))
	}
	return n, nil
}

func fileFault(td *trackedDisk, msg string) types.BaseMethodFault {
	f := &types.FileFault{File: td.localPath}
	f.FaultMessage = []types.LocalizableMessage{{Key: "lab.cbt", Message: msg}}
	return f
}

func merge(areas []extent) []extent {
	sort.Slice(areas, func(i, j int) bool { return areas[i].off < areas[j].off })
	var out []extent
	for _, a := range areas {
		if n := len(out); n > 0 && a.off <= out[n-1].off+out[n-1].len {
			out[n-1].len = max(out[n-1].len, a.off+a.len-out[n-1].off)
			continue
		}
		out = append(out, a)
	}
	return out
}
