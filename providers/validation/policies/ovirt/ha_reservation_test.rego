package io.konveyor.forklift.ovirt_test

ha_reservation_label := "Cluster has HA reservation"

test_ha_reservation_reserved if raises(ha_reservation_label, "Warning", {"cluster": {"haReservation": true}})

test_ha_reservation_not_reserved if quiet(ha_reservation_label, {"cluster": {"haReservation": false}})

test_ha_reservation_cluster_not_expanded if quiet(ha_reservation_label, {"cluster": "a-cluster-id"})

test_ha_reservation_missing_fields if quiet(ha_reservation_label, {})

test_ha_reservation_null_fields if quiet(ha_reservation_label, null_record)
