"""The files of published courses (pictures of questions and lessons, narration, downloads), served from storage.

Nothing else under MEDIA_ROOT is reachable: only a name recorded as a course file of a published course is
served (``selectors.published_course_file``). The import accepts no SVG or HTML, and the answer is sent with its
type and `nosniff` (SecurityMiddleware), so a course file cannot run scripts on our domain.
"""

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from hocvuso.accounts.access import public

from . import selectors

# Course files are named by their content hash: a changed file gets a new name, so browsers may keep them a day.
CACHE_SECONDS = 24 * 3600
NARRATION_FOLDER = PurePosixPath("media/narration")  # lesson recordings (learning.services.narration)


@public
@require_GET
def course_file(request: HttpRequest, path: str) -> FileResponse:
    media = selectors.published_course_file(name=f"learning/{path}")
    content_type = mimetypes.guess_type(media.file.name or "")[0] or "application/octet-stream"
    if PurePosixPath(media.path).parent == NARRATION_FOLDER and content_type.startswith("video/"):
        content_type = "audio/" + content_type.removeprefix("video/")  # a recording made for listening
    response = FileResponse(media.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
