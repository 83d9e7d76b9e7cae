//go:build tools

// Package kube pins the Kubernetes control-plane commands the lab builds:
// go build k8s.io/kubernetes/cmd/kube-apiserver (and the other two).
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
)
