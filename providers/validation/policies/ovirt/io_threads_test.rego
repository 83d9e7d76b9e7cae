package io.konveyor.forklift.ovirt_test

io_threads_label := "Several I/O threads"

test_io_threads_two if raises(io_threads_label, "Information", {"ioThreads": 2})

test_io_threads_one if quiet(io_threads_label, {"ioThreads": 1})

test_io_threads_none if quiet(io_threads_label, {"ioThreads": 0})

test_io_threads_text if quiet(io_threads_label, {"ioThreads": "2"})

test_io_threads_missing_fields if quiet(io_threads_label, {})

test_io_threads_null_fields if quiet(io_threads_label, null_record)
