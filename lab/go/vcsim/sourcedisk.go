package main

import (
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"lukechampine.com/blake3"
)

const (
	seekData = 3 // SEEK_DATA / SEEK_HOLE (Linux)
	seekHole = 4
)

// copySourceDisk fills a flat file with a raw image from this machine (the lab's real guest),
// copying only its data extents so holes stay holes. The image's BLAKE3 is kept beside it
// (<source>.blake3, with the size and mtime it was computed for): hashing 2 GiB again on every
// lab start would cost seconds.
func copySourceDisk(localPath string, spec DiskSpec, buf []byte) (string, int64, error) {
	src, err := os.Open(spec.Source)
	if err != nil {
		return "", 0, err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return "", 0, err
	}
	if info.Size() != spec.Capacity {
		return "", 0, errors.New(spec.Source + ": size " + strconv.FormatInt(info.Size(), 10) + " is not the disk's capacity")
	}
	dst, err := os.OpenFile(localPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", 0, err
	}
	defer dst.Close()
	if err := dst.Truncate(spec.Capacity); err != nil {
		return "", 0, err
	}
	var written int64
	for pos := int64(0); pos < spec.Capacity; {
		start, err := src.Seek(pos, seekData)
		if errors.Is(err, syscall.ENXIO) {
			break // only a hole is left
		} else if err != nil {
			return "", 0, err
		}
		end, err := src.Seek(start, seekHole)
		if err != nil {
			return "", 0, err
		}
		for off := start; off < end; {
			n, err := src.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
			if err != nil && !errors.Is(err, io.EOF) {
				return "", 0, err
			}
			if _, err := dst.WriteAt(buf[:n], off); err != nil {
				return "", 0, err
			}
			off += int64(n)
			written += int64(n)
		}
		pos = end
	}
	sum, err := sourceDigest(src, info)
	return sum, written, err
}

func sourceDigest(src *os.File, info os.FileInfo) (string, error) {
	stampFile := src.Name() + ".blake3"
	key := strconv.FormatInt(info.Size(), 10) + " " + strconv.FormatInt(info.ModTime().UnixNano(), 10)
	if saved, err := os.ReadFile(stampFile); err == nil {
		if fields := strings.Fields(string(saved)); len(fields) == 3 && fields[1]+" "+fields[2] == key {
			return fields[0], nil
		}
	}
	h := blake3.New(32, nil)
	if _, err := io.Copy(h, io.NewSectionReader(src, 0, info.Size())); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	_ = os.WriteFile(stampFile, []byte(sum+" "+key+"\n"), 0o644) // a cache: losing it costs time only
	return sum, nil
}
