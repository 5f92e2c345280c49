"""The API's JSON parser: `core.jsonbody.read_json_body` behind DRF's parser interface."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from hocvuso.core.jsonbody import MalformedJSON, read_json_body


class MalformedBody(ParseError):
    """A body the API refuses, with the reason `read_json_body` gave (errors.py keeps this message)."""


class StrictJSONParser(BaseParser):
    """JSON bodies (UTF-8, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes, read no further): nesting, duplicate keys,
    numbers out of range and the rest are refused with a 400 that says which (`read_json_body`).

    Not a subclass of DRF's JSONParser on purpose: for those DRF reads `request.body` first, whose size check
    answers an HTML page; this parser reads the stream itself and answers in the API's JSON shape."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        data = stream.read(limit + 1) if stream is not None else b""
        try:
            return read_json_body(data, max_bytes=limit)
        except MalformedJSON as error:
            raise MalformedBody(str(error.message), code=error.code) from error
