"""xAPI 1.0.3 for learning events: statements with an anonymous actor, an outbox, batched delivery to an LRS.

Other learning services call `queue_statement(...)` inside the transaction that records the event, with one of
the verb constants below; everything else (building, storing, delivering, retrying) happens here.
"""

from .services import deliver_outbox, queue_statement
from .statements import (
    ANSWERED,
    ASSESSMENT,
    ATTEMPTED,
    COMPLETED,
    COURSE,
    EXPERIENCED,
    FAILED,
    LESSON,
    MODULE,
    PASSED,
    QUESTION,
    REGISTERED,
)

__all__ = [
    "ANSWERED",
    "ASSESSMENT",
    "ATTEMPTED",
    "COMPLETED",
    "COURSE",
    "EXPERIENCED",
    "FAILED",
    "LESSON",
    "MODULE",
    "PASSED",
    "QUESTION",
    "REGISTERED",
    "deliver_outbox",
    "queue_statement",
]
