"""Settings for the benchmark server: the project's own, plus the floor views, DEBUG off."""

from haidian.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
