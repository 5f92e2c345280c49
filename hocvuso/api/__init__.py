"""The HTTP API (/api/v1/, OpenAPI): thin handlers over services and selectors; domain code never imports it."""
