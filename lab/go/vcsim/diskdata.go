package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"lukechampine.com/blake3"
)

const chunk = 1 << 20

var zeros = make([]byte, chunk)

// seedStream returns the deterministic byte stream of a disk: the BLAKE3 XOF of its seed.
// The byte at disk offset o is stream[o], so any extent can be regenerated on its own.
func seedStream(seed string) *blake3.OutputReader {
	h := blake3.New(32, nil)
	_, _ = h.Write([]byte(seed))
	return h.XOF()
}

// writeDisk fills a (vcsim-created, empty) flat file: data extents get the seed's bytes,
// "zero" extents get written zeros, the rest stays a hole up to the capacity. It returns the
// BLAKE3 of the whole raw image (holes read as zeros) and the bytes written.
// buf is the caller's scratch space of `chunk` bytes (one per worker: 20,000 disks must not
// mean 20,000 fresh 1 MiB buffers).
func writeDisk(localPath string, spec DiskSpec, buf []byte) (string, int64, error) {
	if spec.Source != "" {
		return copySourceDisk(localPath, spec, buf)
	}
	extents := append([]ExtentSpec(nil), spec.Extents...)
	sort.Slice(extents, func(i, j int) bool { return extents[i].Offset < extents[j].Offset })
	f, err := os.OpenFile(localPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	if err := f.Truncate(spec.Capacity); err != nil {
		return "", 0, err
	}
	image := blake3.New(32, nil)
	stream := seedStream(spec.Seed)
	var pos, written int64
	for _, e := range extents {
		if e.Offset < pos || e.Offset+e.Length > spec.Capacity || e.Length <= 0 {
			return "", 0, fmt.Errorf("%s: extent %+v overlaps or leaves the disk", localPath, e)
		}
		hashZeros(image, e.Offset-pos)
		if _, err := stream.Seek(e.Offset, io.SeekStart); err != nil {
			return "", 0, err
		}
		for done := int64(0); done < e.Length; {
			n := min(int64(chunk), e.Length-done)
			b := zeros[:n]
			if e.Kind == "data" {
				b = buf[:n]
				_, _ = stream.Read(b)
			}
			if _, err := f.WriteAt(b, e.Offset+done); err != nil {
				return "", 0, err
			}
			_, _ = image.Write(b)
			done += n
		}
		pos = e.Offset + e.Length
		written += e.Length
	}
	hashZeros(image, spec.Capacity-pos)
	return hex.EncodeToString(image.Sum(nil)), written, nil
}

func hashZeros(h *blake3.Hasher, n int64) {
	for n > 0 {
		k := min(int64(chunk), n)
		_, _ = h.Write(zeros[:k])
		n -= k
	}
}

type diskJob struct {
	info *DiskInfo
	spec DiskSpec
}

// writeDisks writes all disks with a few workers; a shared disk is written once and its
// result copied to every VM that attaches it.
func writeDisks(vms []VMInfo, specs []VMSpec, workers int) error {
	var jobs []diskJob
	firstShared := map[string]*DiskInfo{}
	var copies [][2]*DiskInfo
	for i := range vms {
		for j := range vms[i].Disks {
			info, spec := &vms[i].Disks[j], specs[i].Disks[j]
			if spec.SharedFile != "" {
				if first, ok := firstShared[spec.SharedFile]; ok {
					copies = append(copies, [2]*DiskInfo{info, first})
					continue
				}
				firstShared[spec.SharedFile] = info
			}
			jobs = append(jobs, diskJob{info, spec})
		}
	}
	queue := make(chan diskJob)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, chunk)
			for job := range queue {
				sum, written, err := writeDisk(job.info.LocalPath, job.spec, buf)
				if err != nil {
					errs <- err
					continue
				}
				job.info.Blake3, job.info.AllocatedBytes = sum, written
			}
		}()
	}
	for _, job := range jobs {
		queue <- job
	}
	close(queue)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	for _, c := range copies {
		c[0].Blake3, c[0].AllocatedBytes = c[1].Blake3, c[1].AllocatedBytes
	}
	return nil
}
