package io.konveyor.forklift.ovirt_test

ksm_label := "Cluster uses KSM"

test_ksm_enabled if raises(ksm_label, "Warning", {"cluster": {"ksmEnabled": true}})

test_ksm_disabled if quiet(ksm_label, {"cluster": {"ksmEnabled": false}})

test_ksm_cluster_not_expanded if quiet(ksm_label, {"cluster": "a-cluster-id"})

test_ksm_missing_fields if quiet(ksm_label, {})

test_ksm_null_fields if quiet(ksm_label, null_record)
