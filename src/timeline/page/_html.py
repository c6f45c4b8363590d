"""The page itself: one HTML file with its script, styles, library and data inlined.

The parts live beside this module as plain files (``static/*.js`` in the order of
:data:`SCRIPT_PARTS`, ``static/page.css``, ``static/body.html``, ``vendor/d3/d3.min.js``) and are read once, when the first page is rendered. Everything
taken from the log reaches the page only inside the data block, escaped so that no text can
end the block or open markup (:func:`json_block`).
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources
from typing import Any, Final

import orjson

from timeline.errors import InvalidArgument

__all__ = ["SCRIPT_PARTS", "json_block", "page_html", "static_text"]

#: The page's own script, in parts small enough to read, inlined in this order as one module.
SCRIPT_PARTS: Final = ("time.js", "view.js", "page.js", "draw.js", "panel.js", "controls.js")

# Inside a <script> element only "</script" (any case) or "<!--" could end or upset it.
_UNSAFE_IN_SCRIPT: Final = re.compile(r"</script|<!--", re.IGNORECASE)

#: What the page may load and run: its own inline parts; fetches only from where it came.
_POLICY: Final = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'"
)


@cache
def static_text(name: str) -> str:
    """A file shipped with the page package (``static/view.js``, ``vendor/d3/d3.min.js``).

    Raises:
        InvalidArgument: the file holds text that would end its inline ``<script>``.
    """
    text = resources.files("timeline.page").joinpath(name).read_text(encoding="utf-8")
    if _UNSAFE_IN_SCRIPT.search(text):
        raise InvalidArgument(
            f"{name} holds '</script' or '<!--' and cannot be inlined", argument="name", value=name
        )
    return text


def json_block(payload: dict[str, Any]) -> str:
    r"""The data as JSON safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e``, ``\u0026`` (they only ever
    occur inside JSON strings, where the escapes read back the same): a ``</script>`` in a
    note cannot end the block.
    """
    text = orjson.dumps(payload)
    return (
        text.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026").decode()
    )


def page_html(payload: dict[str, Any]) -> str:
    """The whole page for a data payload (see :func:`timeline.page.data`)."""
    title = html.escape(str(payload.get("title") or "Timeline"))
    return "".join(
        (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="generator" content="timeline.page">\n',
            f"<title>{title}</title>\n<style>\n",
            static_text("static/page.css"),
            "</style>\n</head>\n<body>\n",
            static_text("static/body.html"),
            '<script type="application/json" id="timeline-data">',
            json_block(payload),
            "</script>\n<script>\n",
            static_text("vendor/d3/d3.min.js"),
            '\n</script>\n<script type="module">\n',
            *(static_text(f"static/{part}") for part in SCRIPT_PARTS),
            "</script>\n</body>\n</html>\n",
        )
    )
