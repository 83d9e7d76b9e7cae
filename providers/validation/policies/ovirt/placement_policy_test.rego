package io.konveyor.forklift.ovirt_test

placement_policy_label := "VM pinned to hosts"

test_placement_policy_pinned if raises(placement_policy_label, "Warning", {"placementPolicyAffinity": "pinned"})

test_placement_policy_user_migratable if raises(placement_policy_label, "Warning", {"placementPolicyAffinity": "user_migratable"})

test_placement_policy_migratable if quiet(placement_policy_label, {"placementPolicyAffinity": "migratable"})

test_placement_policy_missing_fields if quiet(placement_policy_label, {})

test_placement_policy_null_fields if quiet(placement_policy_label, null_record)
