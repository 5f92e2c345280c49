"""Reads of the learning app for pages and the API: a learner's dashboard, a lesson page, an attempt page without
answer keys, an attempt's result, the catalogue, and what the learner may do next with an assessment.

Each selector reads a fixed, small number of queries whatever the size of the course (pinned in the tests).
"""

from .attempts import (
    AttemptPage,
    AttemptQuestion,
    AttemptReview,
    CompetenceResult,
    CompetenceToReview,
    ReviewQuestion,
    attempt_page,
    attempt_result,
)
from .classes import (
    ClassActivity,
    ClassLearner,
    InstructorClasses,
    LearnerCourse,
    instructor_classes,
    instructor_learners,
    supervised_class_activity,
)
from .lessons import (
    DONE,
    LOCKED,
    OPEN,
    CourseSummary,
    Download,
    LessonContent,
    LessonPage,
    OutlineLesson,
    OutlineModule,
    lesson_page,
)
from .progress import (
    AssessmentStatus,
    CatalogueEntry,
    CourseProgress,
    Dashboard,
    assessment_status,
    course_catalogue,
    learner_dashboard,
    literacy_statuses,
    open_attempts_count,
    supervised_sessions_for,
)

__all__ = [
    "DONE",
    "LOCKED",
    "OPEN",
    "AssessmentStatus",
    "AttemptPage",
    "AttemptQuestion",
    "AttemptReview",
    "CatalogueEntry",
    "ClassActivity",
    "ClassLearner",
    "CompetenceResult",
    "CompetenceToReview",
    "CourseProgress",
    "CourseSummary",
    "Dashboard",
    "Download",
    "InstructorClasses",
    "LearnerCourse",
    "LessonContent",
    "LessonPage",
    "OutlineLesson",
    "OutlineModule",
    "ReviewQuestion",
    "assessment_status",
    "attempt_page",
    "attempt_result",
    "course_catalogue",
    "instructor_classes",
    "instructor_learners",
    "learner_dashboard",
    "lesson_page",
    "literacy_statuses",
    "open_attempts_count",
    "supervised_class_activity",
    "supervised_sessions_for",
]
