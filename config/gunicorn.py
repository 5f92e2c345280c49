"""Gunicorn settings for the web processes: `gunicorn -c config/gunicorn.py` (see docs/OPERATIONS.md).

Every value can be changed from the environment. Gunicorn's own logs (errors and the access log) go through
the same JSON formatter and personal-number filter as Django's and Celery's, one JSON object per line on
standard error.
"""

import os

wsgi_app = "config.wsgi:application"

# Behind a reverse proxy on the same host by default; a container sets GUNICORN_BIND=0.0.0.0:8000.
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never grows without bound; the jitter spreads the restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Gunicorn's control socket (for `gunicornc`) only where GUNICORN_CONTROL_SOCKET names a path, so that two
# instances on one host never share the default one.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# The reverse proxy's address, whose X-Forwarded-* headers gunicorn trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Query strings can carry search terms: the access log keeps the path only, and no client headers.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
ACCESS_LOG = os.environ.get("GUNICORN_ACCESS_LOG", "true").strip().lower() in {"1", "true", "yes", "on"}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
loglevel = LOG_LEVEL.lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hocvuso.core.logging.RedactPersonalNumbers"}},
    "formatters": {"json": {"()": "hocvuso.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO" if ACCESS_LOG else "WARNING", "propagate": False},
    },
}


def post_worker_init(worker: object) -> None:
    """Move everything loaded at start (Django, the app's modules and templates: ~110,000 objects) out of the
    garbage collector's view: otherwise a full collection every few requests scans them all, 50–60 ms on the
    2-core reference machine, which doubled the province dashboard's p95 (bench/bench_monitoring.py)."""
    import gc

    gc.collect()
    gc.freeze()
    # Without Redis (no Celery beat), the periodic jobs run in a thread of each web process (config/embedded.py).
    from config import embedded

    embedded.start()
