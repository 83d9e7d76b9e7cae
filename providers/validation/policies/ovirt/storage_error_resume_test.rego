package io.konveyor.forklift.ovirt_test

storage_error_resume_label := "Storage error resume behaviour"

test_storage_error_resume_kill if raises(storage_error_resume_label, "Information", {"storageErrorResumeBehaviour": "kill"})

test_storage_error_resume_leave_paused if raises(storage_error_resume_label, "Information", {"storageErrorResumeBehaviour": "leave_paused"})

test_storage_error_resume_auto_resume if quiet(storage_error_resume_label, {"storageErrorResumeBehaviour": "auto_resume"})

test_storage_error_resume_missing_fields if quiet(storage_error_resume_label, {})

test_storage_error_resume_null_fields if quiet(storage_error_resume_label, null_record)
