"""An instructor's learners: who took a supervised test with them, with each one's courses (lessons done, best
final score, passed) and literacy status. Only the instructor's own sessions, in the units where they may run
classes today (access.units_visible_to); never answers or questions."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hocvuso.accounts.access import requires, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.learning.selectors import instructor_learners


@requires(Permission.RUN_CLASS)
@require_GET
def class_learners(request: HttpRequest) -> HttpResponse:
    learners = instructor_learners(
        instructor=request.user, units=units_visible_to(request.user, Permission.RUN_CLASS).in_force()
    )
    return render(request, "web/learning/class_learners.html", {"learners": learners})
