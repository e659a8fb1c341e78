"""The object gunicorn serves: `gunicorn app:app`."""
from scormproxy import create_app

app = create_app()
