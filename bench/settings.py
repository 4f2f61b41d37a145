"""Settings for the benchmark server: the project's own, plus the floor views, DEBUG off."""

from haidian.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
DEBUG = False

# WhiteNoise warns at every start when the collected-static folder is missing; the bench serves no pages.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
