"""Learning: the skills framework, courses as data, the question bank, attempts scored on the server, progress.

One module per part, each re-exported here (import from `hocvuso.learning.models`): framework.py (Framework →
Domain → Competence, Level; target groups) · content.py (Course → Module → Lesson, translations, media,
Question, Assessment) · progress.py (Enrolment, LessonCompletion, Attempt, AttemptAnswer, SelfAssessmentResult)
· literacy.py (LiteracyRule, LiteracyStatus) · supervision.py (SupervisedSession) · xapi.py (the outbox,
OutboxStatement). Writes go through ``services``; reads that join go through ``selectors``.
"""

from .content import (
    Assessment,
    AssessmentKind,
    Course,
    CourseMedia,
    CourseQuerySet,
    Lesson,
    LessonDownload,
    LessonQuerySet,
    LessonTranslation,
    Module,
    Question,
    QuestionQuerySet,
    QuestionType,
    course_media_path,
)
from .framework import Competence, CompetenceQuerySet, Domain, Framework, Level, TargetGroup, TranslationLanguage
from .literacy import LiteracyRule, LiteracyStatus, LiteracyStatusQuerySet
from .progress import (
    Attempt,
    AttemptAnswer,
    AttemptQuerySet,
    AttemptState,
    Enrolment,
    LessonCompletion,
    SelfAssessment,
    SelfAssessmentResult,
)
from .supervision import SupervisedSession
from .xapi import OutboxStatement, OutboxStatementQuerySet

__all__ = [
    "Assessment",
    "AssessmentKind",
    "Attempt",
    "AttemptAnswer",
    "AttemptQuerySet",
    "AttemptState",
    "Competence",
    "CompetenceQuerySet",
    "Course",
    "CourseMedia",
    "CourseQuerySet",
    "Domain",
    "Enrolment",
    "Framework",
    "Lesson",
    "LessonCompletion",
    "LessonDownload",
    "LessonQuerySet",
    "LessonTranslation",
    "Level",
    "LiteracyRule",
    "LiteracyStatus",
    "LiteracyStatusQuerySet",
    "Module",
    "OutboxStatement",
    "OutboxStatementQuerySet",
    "Question",
    "QuestionQuerySet",
    "QuestionType",
    "SelfAssessment",
    "SelfAssessmentResult",
    "SupervisedSession",
    "TargetGroup",
    "TranslationLanguage",
    "course_media_path",
]
