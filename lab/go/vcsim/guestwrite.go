package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/vmware/govmomi/simulator"
	"lukechampine.com/blake3"
)

// POST /lab/disk-write plays a guest writing to its disk (vcsim runs no guests): it writes
// the seed's bytes at [offset, offset+length) of a VM disk, records the write for change
// tracking and answers the BLAKE3 of the whole disk afterwards. Not a vSphere API.

type guestWrite struct {
	VM      string `json:"vm"` // moref
	DiskKey int32  `json:"disk_key"`
	Offset  int64  `json:"offset"`
	Length  int64  `json:"length"`
	Seed    string `json:"seed"`
}

const maxGuestWrite = 64 << 20

func handleGuestWrites(s *simulator.Service, t *tracker, user, password string) {
	s.ServeMux.HandleFunc("POST /lab/disk-write", func(w http.ResponseWriter, r *http.Request) {
		if !basicAuthOK(r, user, password) && !sessionCookieOK(s, r) {
			http.Error(w, "log in first (session cookie or basic auth)", http.StatusUnauthorized)
			return
		}
		var req guestWrite
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			http.Error(w, "body must be JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		td := t.disks[diskRef(req.VM, req.DiskKey)]
		if td == nil {
			http.Error(w, fmt.Sprintf("no disk %d on %s", req.DiskKey, req.VM), http.StatusNotFound)
			return
		}
		sum, err := td.write(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"blake3": sum, "capacity": td.capacity})
	})
}

func (td *trackedDisk) write(req guestWrite) (string, error) {
	if req.Offset < 0 || req.Length <= 0 || req.Length > maxGuestWrite || req.Offset+req.Length > td.capacity {
		return "", fmt.Errorf("write [%d, +%d) must lie within the disk (%d bytes) and be at most %d bytes",
			req.Offset, req.Length, td.capacity, maxGuestWrite)
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	f, err := os.OpenFile(td.localPath, os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data := make([]byte, req.Length)
	stream := seedStream(req.Seed)
	if _, err := stream.Seek(req.Offset, io.SeekStart); err != nil {
		return "", err
	}
	_, _ = stream.Read(data)
	if _, err := f.WriteAt(data, req.Offset); err != nil {
		return "", err
	}
	td.writes = append(td.writes, write{td.seq, extent{req.Offset, req.Length}})
	h := blake3.New(32, nil)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, td.capacity)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
