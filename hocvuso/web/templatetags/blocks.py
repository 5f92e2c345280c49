"""`{% extends %}` that finds its root template's blocks once per compiled template instead of on every render.

Django's `{% extends %}` walks the whole root template (every page's frame, web/base.html) for its `{% block %}`
tags each time a page is rendered: on the lesson page, the busiest, about 5 % of its CPU (bench/profile_lesson.py).
The blocks of a compiled template never change, so they are found once and kept on the template object (the cached
loader keeps one per process; a template compiled again — a change in development — is a new object, walked anew).
Everything else is Django's: parsing, finding the parent, the order in which blocks override each other.

This library is a builtin of the template engine (config/settings/base.py, `TEMPLATES`), so the tag replaces
Django's in every template without a `{% load %}` (which could not come before `{% extends %}` anyway).
"""

from typing import Any

from django import template
from django.template.base import Parser, Template, TextNode, Token
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

register = template.Library()

_ROOT_BLOCKS = "_hocvuso_root_blocks"


def root_blocks(parent: Template) -> dict[str, BlockNode]:
    """The blocks `parent` adds to the block context: all of its blocks when it is the root of the chain (its first
    tag other than text is not an `{% extends %}`), none otherwise — as Django's `ExtendsNode.render` decides."""
    blocks: dict[str, BlockNode] | None = parent.__dict__.get(_ROOT_BLOCKS)
    if blocks is None:
        blocks = {}
        for node in parent.nodelist:
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    found = parent.nodelist.get_nodes_by_type(BlockNode)
                    blocks = {block.name: block for block in found if isinstance(block, BlockNode)}
                break
        setattr(parent, _ROOT_BLOCKS, blocks)
    return blocks


class KeptBlocksExtendsNode(ExtendsNode):
    def render(self, context: template.Context) -> Any:
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        block_context.add_blocks(root_blocks(compiled_parent))
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined]  # as Django's ExtendsNode


@register.tag("extends")
def extends(parser: Parser, token: Token) -> ExtendsNode:
    """Django's `{% extends %}` (parsed by Django), rendered with the root's blocks found once."""
    node = do_extends(parser, token)
    node.__class__ = KeptBlocksExtendsNode
    return node
