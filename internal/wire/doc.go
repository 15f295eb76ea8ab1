// Package wire holds the documents lifeboat's parts exchange: what the CLI
// prints with -o json, what the daemon answers on its control socket and
// its HTTP API, what the status page renders and what the journal keeps of
// an operation. It holds types and their rendering only, so a reader of a
// document needs none of the engine, the journal's storage or Terraform;
// the engine fills them. Besides the standard library it imports only the
// planner, whose plan an outcome carries.
package wire
