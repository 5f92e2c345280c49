import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Without Redis there is no worker and no beat: a thread of this process refreshes the figures and another runs the
# periodic jobs (config/embedded.py), never a request. Both start here, so `runserver` (make run) and every
# gunicorn worker (which imports this module after forking) run them alike.
from config import embedded  # noqa: E402 (needs the apps loaded)
from hocvuso.indicators.refresher import start_embedded_refresher  # noqa: E402

start_embedded_refresher()
embedded.start()
