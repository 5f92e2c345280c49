"""Background tasks of learning: close attempts whose time ran out (scored with the answers saved in time).

Run every few minutes by Celery beat (CELERY_BEAT_SCHEDULE "close-expired-attempts"). Thin: calls the service.
"""

from celery import shared_task

from .services import close_expired_attempts


@shared_task(name="hocvuso.learning.tasks.close_expired_attempts", ignore_result=True)
def close_expired_learning_attempts() -> int:
    """Score every attempt in progress past its deadline; returns how many were closed."""
    return close_expired_attempts()
