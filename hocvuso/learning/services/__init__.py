"""Writes of the learning app, one module per subject; everything is re-exported here."""

from .attempts import AttemptResult, close_expired_attempts, save_answer, start_attempt, submit_attempt
from .course_edits import save_lesson, save_question
from .courses import CourseImport, course_as_data, export_course_to_folder, import_course_from_folder
from .curricula import DEFAULT_CURRICULA, CurriculaLoad, load_curricula
from .frameworks import FrameworkLoad, load_frameworks
from .narration import MAX_NARRATION_BYTES, record_lesson_narration
from .progress import attach_resident, complete_lesson, enrol, is_unlocked, update_literacy_status
from .self_assessment import load_self_assessment, recommend_from_self_assessment
from .supervision import OpenedSession, close_supervised_session, open_supervised_session, verify_supervision

__all__ = [
    "DEFAULT_CURRICULA",
    "MAX_NARRATION_BYTES",
    "AttemptResult",
    "CourseImport",
    "CurriculaLoad",
    "FrameworkLoad",
    "OpenedSession",
    "attach_resident",
    "close_expired_attempts",
    "close_supervised_session",
    "complete_lesson",
    "course_as_data",
    "enrol",
    "export_course_to_folder",
    "import_course_from_folder",
    "is_unlocked",
    "load_curricula",
    "load_frameworks",
    "load_self_assessment",
    "open_supervised_session",
    "recommend_from_self_assessment",
    "record_lesson_narration",
    "save_answer",
    "save_lesson",
    "save_question",
    "start_attempt",
    "submit_attempt",
    "update_literacy_status",
    "verify_supervision",
]
