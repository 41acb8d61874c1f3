"""Request parsers: DRF's, with the failures they let through turned into 400s."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser answers malformed JSON with 400 but lets Python's RecursionError out
    of deeply nested documents (`[[[[...]]]]` a thousand deep), which became a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
