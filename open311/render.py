"""XML for GeoReport v2: the same data as the JSON, as the specification's element names
(a list of services is <services><service>..., of requests <service_requests><request>...)."""

from xml.sax.saxutils import escape  # nosec B406 - escapes what we write; parses nothing

# The element name of one item in each list, by the list's own name.
ITEM_NAMES = {"services": "service", "service_requests": "request", "attributes": "attribute",
              "values": "value", "errors": "error", "endpoints": "endpoint", "formats": "format"}


def _element(name: str, value) -> str:
    if isinstance(value, list):
        item = ITEM_NAMES.get(name, "item")
        return f"<{name}>{''.join(_element(item, entry) for entry in value)}</{name}>"
    if isinstance(value, dict):
        return f"<{name}>{''.join(_element(key, entry) for key, entry in value.items())}</{name}>"
    if value is None:
        return f"<{name}/>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def to_xml(root: str, body) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + _element(root, body)
