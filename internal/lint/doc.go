// Package lint holds tests that enforce Shoal's architecture on the source
// tree, as pebble's internal/lint does: lint_test.go parses every package
// under internal/ and cmd/ (go/parser, no build) and fails when an import
// points up the layer table it carries (../shared/STYLE.md, "Imports point
// down"), when a package imports more of ours than its doc.go allows, when
// the pure packages reach for the network, the operating system, the wall
// clock or global randomness, or when a package has no row in the table.
//
// The package has no code of its own and imports nothing of ours.
package lint
