// Package deploy holds worked examples of running Pacer as several
// replicas (see README.md): a container image, a Docker Compose stack and
// Kubernetes manifests. It has no code; its test checks the examples
// against the program they deploy, so that a renamed flag or a wrong
// selector fails CI instead of an operator's first deployment.
package deploy
