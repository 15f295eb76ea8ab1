// Package wire holds the JSON documents lifeboat's parts exchange: what the
// CLI prints with -o json, what the daemon answers on its control socket
// and HTTP API, and what the status page renders. It holds types only, so
// a reader of a document needs none of the engine, the journal or
// Terraform; the engine fills them.
package wire
