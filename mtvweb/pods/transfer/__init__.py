"""Entry point of the transfer Pod: `python -m mtvweb.pods.transfer ...` (see cli.py for the flags).

Runs inside a Pod started from this project's image, without Django: only the standard
library, blake3, numpy, requests/urllib3 and the kubernetes client. It copies one disk:

    python -m mtvweb.pods.transfer --source-kind http --url https://esx/folder/vm/disk-flat.vmdk?dcPath=…
        --ca-file /ca.pem --target /target/disk.img --size 10737418240 --disk-id disk-2000 --resume
    python -m mtvweb.pods.transfer --source-kind file --path /ova/vm/disk.raw --target /dev/target --size …

- source_http.py / source_file.py / source_vmdk.py / source_nbd.py: reads into the chunk's
  buffer with retries and backoff (source_base.py); what a source knows to be zeros (a file's
  holes, unallocated grains, block status, the extents of extents.py) is not read at all;
- target.py: sparse writes (zero blocks become holes; blocks.py finds them), each chunk read
  back and compared with the source's bytes, flush;
- copy.py: the loop, BLAKE3 of the whole stream, checkpoints and resume (checkpoint.py);
- progress.py: log lines and the Pod's `mtvweb.io/progress` annotation;
- cli.py: flags, the one-line JSON result on stdout and in the termination message, errors;
- selftest.py: `--selftest`, a known pattern written without a source.

Result (stdout, and /dev/termination-log when it exists):
    {"disk": id, "size": n, "bytesRead": n, "bytesWritten": n, "blake3": hex, "seconds": s,
     "skipped": bool, "resumedFrom": offset, "retries": n}
bytesRead and bytesWritten count what this run copied (the disk's bytes, zeros included) and
wrote (non-zero bytes) to the target; blake3 is the whole disk's, as `b3sum` of the source prints. On failure: exit 1 and `error: <one line>` on stderr and as the
termination message.
"""
