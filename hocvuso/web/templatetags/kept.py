"""`{% kept %}…{% endkept %}`: a part of a template that is the same on every page in one language — markup,
words, the addresses of static files and of fixed pages — rendered once per process, language and address prefix,
and kept on the template's node.

Every page's frame (web/base.html) is mostly such parts, and rendering them tag by tag was a measurable share of
the busiest pages' time (bench/profile_lesson.py). Only what cannot differ between requests is accepted inside:
text, comments, `{% translate "…" %}`, `{% static "…" %}` and `{% url "…" %}` with literal arguments (no `as`, no
filters, no context); anything else — a variable, a form's `{% csrf_token %}`, a tag that reads the request — is
refused when the template is loaded, so a kept part can never show one request's data to another.
"""

import unicodedata
from typing import Any

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, TextNode, Token, Variable
from django.template.defaultfilters import stringfilter, truncatechars
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

# where a render keeps the kept parts' key (language, script prefix, URL configuration)
RENDER_KEY = "hocvuso.kept.key"


class KeptNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        # (language, script prefix, URL configuration) -> the rendered part; a template compiled again (a change
        # in development) makes new nodes, so nothing kept outlives its source
        self.rendered: dict[tuple[Any, ...], str] = {}

    def render(self, context: template.Context) -> str:
        # The key is read once per render of a template (by its first kept part; a template and those it extends
        # share it, an included one reads its own) and used by its other kept parts: none of the three changes
        # within it, as no kept part may stand inside a {% language %} block.
        key = context.render_context.get(RENDER_KEY)
        if key is None:
            key = context.render_context[RENDER_KEY] = (get_language(), get_script_prefix(), get_urlconf())
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


def _literal(expression: FilterExpression | None) -> bool:
    """A quoted string without filters (the translate tag keeps it as a Variable without lookups)."""
    if expression is None:
        return True
    value = expression.var
    literal = isinstance(value, str) or (isinstance(value, Variable) and value.lookups is None)
    return literal and not expression.filters


def _constant(node: Node) -> bool:
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _literal(node.filter_expression) and _literal(node.message_context)
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(_literal(argument) for argument in node.args)
            and all(_literal(argument) for argument in node.kwargs.values())
        )
    return False


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    """`{% kept %}…{% endkept %}`: see the module."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% kept %} takes no arguments.")
    if any(command == "language" for command, _ in parser.command_stack):
        raise template.TemplateSyntaxError("{% kept %} cannot stand inside a {% language %} block.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant(node):
            source = node.token.contents if node.token is not None else ""
            raise template.TemplateSyntaxError(
                f"{{% kept %}} holds only text, comments and translate, static or url tags with literal "
                f"arguments; not {node.__class__.__name__} ({source})."
            )
    return KeptNode(nodelist)


@register.filter(is_safe=True)
@stringfilter
def shortened(value: str, length: int) -> str:
    """Django's `truncatechars`, with its result when nothing is cut found without its character-by-character walk
    (the frame's page description, on every page: ~2 % of the lesson page's CPU). `truncatechars` returns the text
    NFC-normalised and cut only when it counts more than `length` characters that are not combining marks; a text
    of at most `length` code points cannot, so it is returned normalised as it would be."""
    text = unicodedata.normalize("NFC", value)
    if isinstance(length, int) and length > 0 and len(text) <= length:
        return text
    return str(truncatechars(value, length))
