package io.konveyor.forklift.openstack_test

volume_backed_label := "VM not backed only by Cinder volumes"

test_volume_backed_image_booted if raises(volume_backed_label, "Critical", {"imageBased": true, "localDisks": [{"kind": "root"}]})

test_volume_backed_ephemeral if raises(volume_backed_label, "Critical", {"imageBased": false, "localDisks": [{"kind": "ephemeral"}]})

test_volume_backed_volumes_only if quiet(volume_backed_label, {"imageBased": false, "localDisks": []})

test_volume_backed_missing_fields if quiet(volume_backed_label, {})

test_volume_backed_null_fields if quiet(volume_backed_label, null_record)
