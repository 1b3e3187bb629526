"""The HTML pages: routers per domain, jinja2 templates, htmx fragments."""
