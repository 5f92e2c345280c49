import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Without Redis there is no worker: the figures are refreshed by a thread of this process, never by a request.
from hocvuso.indicators.refresher import start_embedded_refresher  # noqa: E402 (needs the apps loaded)

start_embedded_refresher()
