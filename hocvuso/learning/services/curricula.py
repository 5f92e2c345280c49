"""Load the whole starter curriculum folder: frameworks, every course folder, the self-assessment."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from hocvuso.core.errors import DomainError

from .courses import CourseImport, import_course_from_folder
from .frameworks import FrameworkLoad, load_frameworks
from .self_assessment import load_self_assessment

SELF_ASSESSMENT_FILE = "self-assessment.yaml"
# The starter curriculum kept in the repository.
DEFAULT_CURRICULA = Path(settings.BASE_DIR) / "curricula"


@dataclass
class CurriculaLoad:
    """What loading a curricula folder did: frameworks, courses imported, and the course folders refused
    (folder name → the problems found; nothing of those was written)."""

    frameworks: list[FrameworkLoad] = field(default_factory=list)
    courses: list[CourseImport] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    self_assessment: Any = None


def load_curricula(*, path: str | Path, actor: Any) -> CurriculaLoad:
    """Load ``path/frameworks``, then every course folder (a folder with a course.yaml), then
    ``self-assessment.yaml`` — each idempotent, so running it again changes only what changed. A course
    folder that cannot be imported is reported in ``refused`` and does not stop the others. Raises
    CourseFormatError when the frameworks or the self-assessment are invalid."""
    root = Path(path)
    report = CurriculaLoad()
    report.frameworks = load_frameworks(path=root / "frameworks", actor=actor)
    for folder in sorted(child for child in root.iterdir() if (child / "course.yaml").is_file()):
        try:
            with transaction.atomic():
                report.courses.append(import_course_from_folder(path=folder, actor=actor))
        except DomainError as error:
            report.refused[folder.name] = str(error.message)
    if (root / SELF_ASSESSMENT_FILE).is_file():
        report.self_assessment = load_self_assessment(path=root / SELF_ASSESSMENT_FILE, actor=actor)
    return report
