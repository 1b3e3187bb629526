"""The JSON API under /api/v1: routers per domain, pydantic schemas, problem+json errors."""
