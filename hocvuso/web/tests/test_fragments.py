"""The parts of pages kept once rendered (web/fragments.py): rendered once per key and language, and bounded.
That a kept lesson page shows each learner their own progress, name and tokens: test_learning_pages.py."""

from django.utils import translation

from hocvuso.web import fragments

TEMPLATE = "web/learning/_lesson_outline.html"


def context(calls: list[int], done: int) -> dict:
    calls.append(done)
    return {
        "shown": {"previous_slug": None, "next_slug": "bai-hai", "completed_count": done, "required_count": 8},
        "links": {"course": "/khoa-hoc/mau/"},
        "outline": [],
    }


def test_a_fragment_is_rendered_once_per_key_and_language(db):
    fragments.forget()
    calls: list[int] = []

    with translation.override("vi"):
        first = fragments.fragment(TEMPLATE, ("k", 1), lambda: context(calls, 1))
        again = fragments.fragment(TEMPLATE, ("k", 1), lambda: context(calls, 99))
        other = fragments.fragment(TEMPLATE, ("k", 2), lambda: context(calls, 2))
    with translation.override("en"):
        english = fragments.fragment(TEMPLATE, ("k", 1), lambda: context(calls, 1))

    assert calls == [1, 2, 1]
    assert again == first and "(1/8 đã học)" in first
    assert "(2/8 đã học)" in other
    assert "(1/8 done)" in english and "đã học" not in english
    assert 'href="/khoa-hoc/mau/bai-hai/" rel="next"' in first


def test_kept_fragments_are_bounded_and_the_least_recently_used_goes_first(db, monkeypatch):
    fragments.forget()
    monkeypatch.setattr(fragments, "ENTRIES", 2)
    calls: list[int] = []

    fragments.fragment(TEMPLATE, 1, lambda: context(calls, 1))
    fragments.fragment(TEMPLATE, 2, lambda: context(calls, 2))
    fragments.fragment(TEMPLATE, 1, lambda: context(calls, 1))  # read: now the most recent
    fragments.fragment(TEMPLATE, 3, lambda: context(calls, 3))  # drops 2
    fragments.fragment(TEMPLATE, 1, lambda: context(calls, 1))
    fragments.fragment(TEMPLATE, 2, lambda: context(calls, 2))

    assert calls == [1, 2, 3, 2]
    assert len(fragments._kept) == 2
