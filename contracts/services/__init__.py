"""Writes and chain reads of the contracts app, one module per resource: `queries`, `saved_queries`,
`events`, `analytics`, `dashboards`. Each function owns its transaction."""
