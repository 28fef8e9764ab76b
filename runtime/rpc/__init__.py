"""Internal RPC between PRIM's services: grpclib over mutual TLS with the deployment's CA.

The adapters per service are generated (prim.generated.rpc); this package holds what they
share: error mapping, the TLS contexts, call targets with fail-over, and the server."""
