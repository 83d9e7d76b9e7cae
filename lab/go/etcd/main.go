// Command etcd is the upstream etcd server, built from its Go module so the lab
// gets a release Kubernetes accepts (Debian's etcd-server is too old).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
