package io.konveyor.forklift.ovirt_test

illegal_images_label := "VM has illegal images"

test_illegal_images_flagged if raises(illegal_images_label, "Critical", {"hasIllegalImages": true})

test_illegal_images_not_flagged if quiet(illegal_images_label, {"hasIllegalImages": false})

test_illegal_images_missing_fields if quiet(illegal_images_label, {})

test_illegal_images_null_fields if quiet(illegal_images_label, null_record)
