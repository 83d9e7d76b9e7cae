"""OVA provider: VMs exported from vSphere as .ova archives or extracted .ovf folders on an NFS
share (guide §2.8, §4.4.1.4).

The share is read by a scanner Pod on the host cluster (client.py, mtvweb/pods/ova_scan.py);
the inventory is rescanned periodically and on refresh (inventory.py) and mapped to Forklift's
OVA records (records.py). Migrations are cold only and need guest conversion (virt-v2v).
"""
