"""What the busiest pages' frame does once instead of per request shows the same as Django's own way:
`{% extends %}` finding the root's blocks once (web/templatetags/blocks.py), the description's `shortened`
(web/templatetags/kept.py), the menu and the language buttons kept per process (web/context_processors.py)."""

import re

import pytest
from django.template import Context, Engine
from django.template.defaultfilters import truncatechars
from django.utils.safestring import SafeString

from hocvuso.accounts.roles import Role
from hocvuso.web.templatetags.kept import shortened

TEMPLATES = {
    "root.html": "<t>{% block title %}root{% endblock %}</t>{% if show %}<b>{% block body %}root body{% endblock %}"
    "</b>{% endif %}{% for x in items %}{% block item %}[{{ x }}]{% endblock %}{% endfor %}",
    "middle.html": "{% extends 'root.html' %}{% block title %}middle+{{ block.super }}{% endblock %}",
    "leaf.html": "{% extends 'middle.html' %}{% block title %}leaf+{{ block.super }}{% endblock %}"
    "{% block body %}leaf body ({{ block.super }}){% endblock %}{% block item %}<{{ x }}>{% endblock %}",
    "direct.html": "\n{% extends name %}{% block body %}direct{% endblock %}",
}


def engine(builtins: list[str]) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", TEMPLATES)])],
        builtins=builtins,
    )


@pytest.mark.parametrize("name", ["leaf.html", "middle.html", "direct.html"])
def test_extends_renders_as_djangos_again_and_again(name):
    ours, djangos = engine(["hocvuso.web.templatetags.blocks"]), engine([])
    contexts = [
        {"show": True, "items": [1, 2], "name": "root.html"},
        {"show": False, "items": [], "name": "root.html"},
        {"show": True, "items": ["<x>"], "name": "middle.html"},  # a variable parent, changing between renders
    ]
    for values in contexts * 2:
        expected = djangos.get_template(name).render(Context(values))
        assert ours.get_template(name).render(Context(values)) == expected
    assert "leaf+middle+root" in ours.get_template("leaf.html").render(Context({"show": True}))
    assert type(ours.get_template("leaf.html").nodelist[0]).__name__ == "KeptBlocksExtendsNode"


LONG = "Học Vụ Số " * 30


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ngắn",
        "a" * 200,
        "a" * 201,
        LONG,
        "e\u0301" * 150,  # 300 code points, 150 characters once composed
        "q\u0301" * 150,  # combining marks that do not compose: 300 code points, 150 counted characters
        "q\u0301" * 101,
        "x" * 199 + "\u0301\u0301",
        "<script>&amp;</script>" * 12,
    ],
)
@pytest.mark.parametrize("length", [200, 1, 0, -3, "abc"])
def test_shortened_is_truncatechars(text, length):
    for value in (text, SafeString(text)):
        assert shortened(value, length) == truncatechars(value, length)
    assert isinstance(shortened(SafeString(text), 200), SafeString)


def nav(body: str) -> str:
    found = re.search(r'<nav class="main-nav".*?</nav>', body, re.S)
    return found.group(0) if found else ""


def test_the_kept_menu_and_language_buttons_show_each_user_their_own(client, make_user, province_admin):
    learner = make_user(Role.LEARNER, full_name="Hờ Thị Mai")

    seen = []
    for user in (learner, province_admin, learner, province_admin):
        client.force_login(user)
        for path in ("/", "/khoa-hoc/"):
            seen.append((user.pk, path, nav(client.get(path).content.decode())))
        client.logout()
    menus = {(pk, path): menu for pk, path, menu in seen}

    assert all(menu == menus[(pk, path)] for pk, path, menu in seen)  # the same again, kept or not
    assert 'href="/nhat-ky/"' not in menus[(learner.pk, "/")]
    assert 'href="/nhat-ky/"' in menus[(province_admin.pk, "/")]
    assert '<a href="/khoa-hoc/" aria-current="page">' in menus[(learner.pk, "/khoa-hoc/")]
    assert '<a href="/" aria-current="page">' in menus[(learner.pk, "/")]
    assert "aria-current" not in menus[(learner.pk, "/")].replace('<a href="/" aria-current', "")
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    assert (
        'lang="en" class="chip" aria-pressed="true"' in body and 'lang="vi" class="chip" aria-pressed="false"' in body
    )
    client.cookies["django_language"] = "vi"
    body = client.get("/").content.decode()
    assert (
        'lang="vi" class="chip" aria-pressed="true"' in body and 'lang="en" class="chip" aria-pressed="false"' in body
    )
