// Package edge is the one HTTP(S) front of every site with domains on one
// Docker engine: nginx from Debian in a container of its own, routing by
// Host and SNI to each site's web container over a network the two share
// alone. It renders the edge's configuration from the sites' specs
// (render.go), makes and checks certificates (certs.go) and keeps the
// container, its networks and its configuration in step (edge.go).
package edge
