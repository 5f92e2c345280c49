"""`{% kept %}` (web/templatetags/kept.py): rendered once per language and kept; anything that could differ
between requests is refused when the template is loaded."""

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

KEPT = (
    '{% load i18n static kept %}{% kept %}<a href="{% url \'web:home\' %}">{% translate "Đăng xuất" %}</a>'
    "<link href=\"{% static 'web/site.css' %}\">{# a comment #}{% endkept %}"
)


def test_a_kept_part_renders_as_without_the_tag_once_per_language():
    kept = Template(KEPT)
    plain = Template(KEPT.replace("{% kept %}", "").replace("{% endkept %}", ""))

    with translation.override("vi"):
        vietnamese = kept.render(Context())
        assert vietnamese == plain.render(Context()) == '<a href="/">Đăng xuất</a><link href="/static/web/site.css">'
    with translation.override("en"):
        english = kept.render(Context())
        assert english == plain.render(Context()) == '<a href="/">Sign out</a><link href="/static/web/site.css">'
    with translation.override("vi"):
        assert kept.render(Context()) == vietnamese

    node = next(node for node in kept.nodelist if node.__class__.__name__ == "KeptNode")
    assert len(node.rendered) == 2


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user }}",
        "{% csrf_token %}",
        "{{ request.get_full_path }}",
        "{% translate name %}",
        '{% translate "Đăng xuất" as words %}',
        '{% translate "Đăng xuất"|upper %}',
        "{% static path %}",
        "{% url 'web:course' slug %}",
        "{% url 'web:home' as home %}",
        "{% if user %}x{% endif %}",
        "{% include 'web/form_errors.html' %}",
        "{% now 'Y' %}",
    ],
)
def test_anything_that_could_differ_between_requests_is_refused_when_the_template_is_loaded(inside):
    with pytest.raises(TemplateSyntaxError, match="kept"):
        Template("{% load i18n static kept %}{% kept %}<p>" + inside + "</p>{% endkept %}")


def test_the_frame_around_its_kept_parts_shows_each_request_its_own_user_and_language(client, make_user):
    first, second = make_user(full_name="Người Một"), make_user(full_name="Người Hai")
    client.force_login(first)
    one = client.get("/").content.decode()
    client.force_login(second)
    two = client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/").content.decode()

    assert "Người Một" in one and "Người Một" not in two and "Người Hai" in two
    assert "Bỏ qua, đến nội dung chính" in one and "Bỏ qua, đến nội dung chính" not in english


def test_kept_parts_share_a_render_but_not_a_language_block():
    with pytest.raises(TemplateSyntaxError, match="language"):
        Template('{% load i18n kept %}{% language "en" %}{% kept %}x{% endkept %}{% endlanguage %}')
    # an included template reads the language of its own render: English inside the block, Vietnamese around it
    engine = Template("").engine
    page = engine.from_string(
        '{% load i18n kept %}{% kept %}{% translate "Đăng xuất" %}{% endkept %}|'
        '{% language "en" %}{% include inner %}{% endlanguage %}|{% kept %}{% translate "Đăng nhập" %}{% endkept %}'
    )
    inner = engine.from_string('{% load i18n kept %}{% kept %}{% translate "Đăng xuất" %}{% endkept %}')
    with translation.override("vi"):
        assert page.render(Context({"inner": inner})) == "Đăng xuất|Sign out|Đăng nhập"
        assert page.render(Context({"inner": inner})) == "Đăng xuất|Sign out|Đăng nhập"
