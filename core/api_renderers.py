"""The API's JSON renderer (issue 23): DRF's JSONRenderer with the encoding done by orjson.

The same output as DRF's compact UTF-8 JSON for everything the API answers: values orjson does
not encode itself (dates and times, decimals, lazy strings, querysets, ...) go to DRF's own
encoder, so they look exactly as before; U+2028 and U+2029 are escaped as DRF does. An indented
answer (`Accept: application/json; indent=4`) and anything orjson refuses (an integer beyond
64 bits) are left to DRF's renderer.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_LINE_SEPARATORS = b"\xe2\x80"  # the UTF-8 prefix of U+2028 and U+2029


class JSONRenderer(renderers.JSONRenderer):
    _default = JSONEncoder().default

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATORS in out:
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out
