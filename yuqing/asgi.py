"""The ASGI app built from the installation's settings, for `uvicorn yuqing.asgi:app`."""

from yuqing.app import create_app
from yuqing.settings import get_settings

app = create_app(get_settings(), service=True)
