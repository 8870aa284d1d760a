"""The REST API's shared parts: idempotent creation, the router, schema and docs."""
